using System.ComponentModel;
using System.Runtime.InteropServices;

namespace PSSharedMemory.Platform.Windows
{
    /// <summary>Turns Win32 error codes into the core's errors, with the operation, the target and the number.</summary>
    internal static class WindowsErrors
    {
        public static int Last() => Marshal.GetLastWin32Error();

        public static SharedMemoryException From(int code, string operation, object target)
        {
            SharedMemoryError error = code switch
            {
                WindowsNative.ErrorFileNotFound or WindowsNative.ErrorPathNotFound => SharedMemoryError.NotFound,
                WindowsNative.ErrorAccessDenied => SharedMemoryError.AccessDenied,
                WindowsNative.ErrorFileExists or WindowsNative.ErrorAlreadyExists => SharedMemoryError.AlreadyExists,
                WindowsNative.ErrorNotEnoughMemory or WindowsNative.ErrorOutOfMemory or WindowsNative.ErrorDiskFull or WindowsNative.ErrorCommitmentLimit => SharedMemoryError.OutOfSpace,
                WindowsNative.ErrorInvalidName or WindowsNative.ErrorFilenameExcedRange => SharedMemoryError.NameInvalid,
                _ => SharedMemoryError.SystemError,
            };
            return Errors.Native(error, target, code, nameof(Resources.Messages.SystemCallFailed), operation, target, new Win32Exception(code).Message, "Win32 error", code);
        }
    }
}
