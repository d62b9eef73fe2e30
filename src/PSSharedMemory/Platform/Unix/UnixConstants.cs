using System.Runtime.InteropServices;

namespace PSSharedMemory.Platform.Unix
{
    /// <summary>The numbers that differ between Linux and macOS.</summary>
    internal sealed class UnixConstants
    {
        public static readonly UnixConstants Linux = new UnixConstants
        {
            ReadWrite = 0x2, Create = 0x40, Exclusive = 0x80, CloseOnExec = 0x80000,
            NoFollow = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 || RuntimeInformation.ProcessArchitecture == Architecture.Arm ? 0x8000 : 0x20000,
            ENOENT = 2, EINTR = 4, EACCES = 13, EPERM = 1, EEXIST = 17, EISDIR = 21, EINVAL = 22, ENOSPC = 28, ENOMEM = 12, EFBIG = 27,
            ENAMETOOLONG = 36, EWOULDBLOCK = 11, EBUSY = 16, EDEADLK = 35, ETIMEDOUT = 110, EOWNERDEAD = 130, ENOTRECOVERABLE = 131, ELOOP = 40,
            // struct stat differs: x86-64 puts st_nlink (8 bytes) before st_mode, the generic layout (arm64) after it.
            StatUidOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 28 : 24,
        };

        public static readonly UnixConstants MacOS = new UnixConstants
        {
            ReadWrite = 0x2, Create = 0x200, Exclusive = 0x800, CloseOnExec = 0x1000000, NoFollow = 0x100,
            ENOENT = 2, EINTR = 4, EACCES = 13, EPERM = 1, EEXIST = 17, EISDIR = 21, EINVAL = 22, ENOSPC = 28, ENOMEM = 12, EFBIG = 27,
            ENAMETOOLONG = 63, EWOULDBLOCK = 35, EBUSY = 16, EDEADLK = 11, ETIMEDOUT = 60, EOWNERDEAD = 105, ENOTRECOVERABLE = 104, ELOOP = 62,
            StatUidOffset = 16,
        };

        public int ReadWrite { get; private set; }
        public int Create { get; private set; }
        public int Exclusive { get; private set; }
        public int CloseOnExec { get; private set; }
        public int NoFollow { get; private set; }
        public int ENOENT { get; private set; }
        public int EINTR { get; private set; }
        public int EACCES { get; private set; }
        public int EPERM { get; private set; }
        public int EEXIST { get; private set; }
        public int EISDIR { get; private set; }
        public int EINVAL { get; private set; }
        public int ENOSPC { get; private set; }
        public int ENOMEM { get; private set; }
        public int EFBIG { get; private set; }
        public int ENAMETOOLONG { get; private set; }
        public int EWOULDBLOCK { get; private set; }
        public int EBUSY { get; private set; }
        public int EDEADLK { get; private set; }
        public int ETIMEDOUT { get; private set; }
        public int EOWNERDEAD { get; private set; }
        public int ENOTRECOVERABLE { get; private set; }
        public int ELOOP { get; private set; }

        /// <summary>Where st_uid lies in struct stat.</summary>
        public int StatUidOffset { get; private set; }
    }
}
