using System.ComponentModel;
using System.Runtime.InteropServices;

namespace PSSharedMemory.Platform.Unix
{
    /// <summary>Turns errno into the core's errors, with the operation, the target and the number.</summary>
    internal static class UnixErrors
    {
        public static int LastErrno() => Marshal.GetLastWin32Error();

        public static SharedMemoryException From(UnixConstants c, int errno, string operation, object target)
        {
            SharedMemoryError error =
                errno == c.ENOENT ? SharedMemoryError.NotFound :
                errno == c.EEXIST ? SharedMemoryError.AlreadyExists :
                errno == c.EACCES || errno == c.EPERM || errno == c.ELOOP ? SharedMemoryError.AccessDenied :
                errno == c.ENOSPC || errno == c.ENOMEM || errno == c.EFBIG ? SharedMemoryError.OutOfSpace :
                errno == c.ENAMETOOLONG ? SharedMemoryError.NameInvalid :
                errno == c.EISDIR ? SharedMemoryError.FileInvalid :
                SharedMemoryError.SystemError;
            string reason = new Win32Exception(errno).Message;
            return Errors.Native(error, target, errno, nameof(Resources.Messages.SystemCallFailed), operation, target, reason, "errno", errno);
        }
    }
}
