using System;
using System.Runtime.InteropServices;

namespace PSSharedMemory.Platform.Windows
{
    /// <summary>kernel32 calls: the same ones the seed's programs make.</summary>
    internal static class WindowsNative
    {
        public const uint PageReadWrite = 0x04;
        public const uint FileMapAllAccess = 0xF001F;
        public const uint GenericRead = 0x80000000;
        public const uint GenericWrite = 0x40000000;
        public const uint FileShareAll = 0x1 | 0x2 | 0x4;
        public const uint CreateNewDisposition = 1;
        public const uint OpenExistingDisposition = 3;
        public const uint FileAttributeNormal = 0x80;
        public const uint WaitObject0 = 0x0;
        public const uint WaitAbandoned = 0x80;
        public const uint WaitTimeout = 0x102;
        public const int ErrorFileNotFound = 2;
        public const int ErrorPathNotFound = 3;
        public const int ErrorAccessDenied = 5;
        public const int ErrorNotEnoughMemory = 8;
        public const int ErrorOutOfMemory = 14;
        public const int ErrorFileExists = 80;
        public const int ErrorDiskFull = 112;
        public const int ErrorInvalidName = 123;
        public const int ErrorAlreadyExists = 183;
        public const int ErrorFilenameExcedRange = 206;
        public const int ErrorCommitmentLimit = 1455;
        public static readonly IntPtr InvalidHandleValue = new IntPtr(-1);

        [DllImport("kernel32.dll", EntryPoint = "CreateFileMappingW", SetLastError = true, CharSet = CharSet.Unicode)]
        public static extern IntPtr CreateFileMapping(IntPtr file, IntPtr attributes, uint protect, uint maximumSizeHigh, uint maximumSizeLow, string? name);

        [DllImport("kernel32.dll", EntryPoint = "OpenFileMappingW", SetLastError = true, CharSet = CharSet.Unicode)]
        public static extern IntPtr OpenFileMapping(uint desiredAccess, bool inheritHandle, string name);

        [DllImport("kernel32.dll", SetLastError = true)]
        public static extern IntPtr MapViewOfFile(IntPtr mapping, uint desiredAccess, uint offsetHigh, uint offsetLow, UIntPtr numberOfBytes);

        [DllImport("kernel32.dll", SetLastError = true)]
        [return: MarshalAs(UnmanagedType.Bool)]
        public static extern bool UnmapViewOfFile(IntPtr baseAddress);

        [DllImport("kernel32.dll", SetLastError = true)]
        public static extern UIntPtr VirtualQuery(IntPtr address, out MemoryBasicInformation buffer, UIntPtr length);

        [DllImport("kernel32.dll", SetLastError = true)]
        [return: MarshalAs(UnmanagedType.Bool)]
        public static extern bool CloseHandle(IntPtr handle);

        [DllImport("kernel32.dll", EntryPoint = "CreateMutexW", SetLastError = true, CharSet = CharSet.Unicode)]
        public static extern IntPtr CreateMutex(IntPtr attributes, bool initialOwner, string name);

        [DllImport("kernel32.dll", SetLastError = true)]
        public static extern uint WaitForSingleObject(IntPtr handle, uint milliseconds);

        [DllImport("kernel32.dll", SetLastError = true)]
        [return: MarshalAs(UnmanagedType.Bool)]
        public static extern bool ReleaseMutex(IntPtr handle);

        [DllImport("kernel32.dll", EntryPoint = "CreateFileW", SetLastError = true, CharSet = CharSet.Unicode)]
        public static extern IntPtr CreateFile(string path, uint access, uint share, IntPtr security, uint disposition, uint flags, IntPtr template);

        [DllImport("kernel32.dll", SetLastError = true)]
        [return: MarshalAs(UnmanagedType.Bool)]
        public static extern bool GetFileSizeEx(IntPtr file, out long size);

        [DllImport("advapi32.dll", EntryPoint = "ConvertStringSecurityDescriptorToSecurityDescriptorW", SetLastError = true, CharSet = CharSet.Unicode)]
        [return: MarshalAs(UnmanagedType.Bool)]
        public static extern bool ConvertStringSecurityDescriptor(string sddl, uint revision, out IntPtr descriptor, IntPtr size);

        [DllImport("kernel32.dll")]
        public static extern IntPtr LocalFree(IntPtr memory);

        [StructLayout(LayoutKind.Sequential)]
        public struct SecurityAttributes
        {
            public int Length;
            public IntPtr SecurityDescriptor;
            [MarshalAs(UnmanagedType.Bool)]
            public bool InheritHandle;
        }

        [StructLayout(LayoutKind.Sequential)]
        public struct MemoryBasicInformation
        {
            public IntPtr BaseAddress;
            public IntPtr AllocationBase;
            public uint AllocationProtect;
            public IntPtr RegionSize;
            public uint State;
            public uint Protect;
            public uint Type;
        }
    }
}
