using System;
using System.Runtime.InteropServices;

namespace PSSharedMemory.Platform.Unix
{
    /// <summary>libc calls shared by Linux and macOS. Strings marshal as UTF-8 (CharSet.Ansi on Unix .NET). Flag and errno values differ per system: see <see cref="UnixConstants"/>.</summary>
    internal static class UnixNative
    {
        private const string Libc = "libc";

        public const int ProtReadWrite = 0x1 | 0x2;
        public const int MapShared = 0x1;
        public const int SeekEnd = 2;
        public const int LockExclusive = 2;
        public const int LockNonBlocking = 4;
        public const int LockUnlock = 8;
        public static readonly IntPtr MapFailed = new IntPtr(-1);

        [DllImport(Libc, EntryPoint = "open", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false)]
        public static extern int Open(string path, int flags, int mode);

        [DllImport(Libc, EntryPoint = "close", SetLastError = true)]
        public static extern int Close(int fd);

        [DllImport(Libc, EntryPoint = "ftruncate", SetLastError = true)]
        public static extern int FTruncate(int fd, long length);

        [DllImport(Libc, EntryPoint = "lseek", SetLastError = true)]
        public static extern long LSeek(int fd, long offset, int whence);

        [DllImport(Libc, EntryPoint = "fstat", SetLastError = true)]
        public static extern int FStat(int fd, byte[] buffer);

        [DllImport(Libc, EntryPoint = "mmap", SetLastError = true)]
        public static extern IntPtr MMap(IntPtr address, UIntPtr length, int protection, int flags, int fd, long offset);

        [DllImport(Libc, EntryPoint = "munmap", SetLastError = true)]
        public static extern int MUnmap(IntPtr address, UIntPtr length);

        [DllImport(Libc, EntryPoint = "unlink", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false)]
        public static extern int Unlink(string path);

        [DllImport(Libc, EntryPoint = "flock", SetLastError = true)]
        public static extern int FLock(int fd, int operation);

        /// <summary>Returns an errno value instead of setting errno.</summary>
        [DllImport(Libc, EntryPoint = "posix_fallocate")]
        public static extern int PosixFAllocate(int fd, long offset, long length);

        [DllImport(Libc, EntryPoint = "shm_unlink", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false)]
        public static extern int ShmUnlink(string name);

        /// <summary>shm_open is variadic; on Apple arm64 variadic arguments go on the stack, after eight register slots.</summary>
        [DllImport(Libc, EntryPoint = "shm_open", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false)]
        public static extern int ShmOpenArm64Variadic(string name, int flags, IntPtr r2, IntPtr r3, IntPtr r4, IntPtr r5, IntPtr r6, IntPtr r7, int mode);

        [DllImport(Libc, EntryPoint = "shm_open", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false)]
        public static extern int ShmOpen(string name, int flags, int mode);

        [DllImport(Libc, EntryPoint = "mkdir", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false)]
        public static extern int MkDir(string path, int mode);

        [DllImport(Libc, EntryPoint = "chmod", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false)]
        public static extern int ChMod(string path, int mode);

        [DllImport(Libc, EntryPoint = "syscall", SetLastError = true)]
        public static extern long FutexWait(long number, IntPtr address, int operation, uint expected, ref TimeSpec timeout, IntPtr unused, int unused2);

        [DllImport(Libc, EntryPoint = "syscall", SetLastError = true)]
        public static extern long FutexWake(long number, IntPtr address, int operation, int count, IntPtr unused, IntPtr unused2, int unused3);

        [DllImport(Libc, EntryPoint = "fchmod", SetLastError = true)]
        public static extern int FChMod(int fd, int mode);

        [DllImport(Libc, EntryPoint = "geteuid")]
        public static extern uint GetEUid();

        [DllImport(Libc, EntryPoint = "pthread_mutexattr_init")]
        public static extern int MutexAttrInit(IntPtr attr);

        [DllImport(Libc, EntryPoint = "pthread_mutexattr_destroy")]
        public static extern int MutexAttrDestroy(IntPtr attr);

        [DllImport(Libc, EntryPoint = "pthread_mutexattr_settype")]
        public static extern int MutexAttrSetType(IntPtr attr, int type);

        [DllImport(Libc, EntryPoint = "pthread_mutexattr_setpshared")]
        public static extern int MutexAttrSetPShared(IntPtr attr, int shared);

        [DllImport(Libc, EntryPoint = "pthread_mutexattr_setrobust")]
        public static extern int MutexAttrSetRobust(IntPtr attr, int robust);

        [DllImport(Libc, EntryPoint = "pthread_mutex_init")]
        public static extern int MutexInit(IntPtr mutex, IntPtr attr);

        [DllImport(Libc, EntryPoint = "pthread_mutex_trylock")]
        public static extern int MutexTryLock(IntPtr mutex);

        [DllImport(Libc, EntryPoint = "pthread_mutex_timedlock")]
        public static extern int MutexTimedLock(IntPtr mutex, ref TimeSpec absoluteTimeout);

        [DllImport(Libc, EntryPoint = "pthread_mutex_unlock")]
        public static extern int MutexUnlock(IntPtr mutex);

        [DllImport(Libc, EntryPoint = "pthread_mutex_consistent")]
        public static extern int MutexConsistent(IntPtr mutex);

        [StructLayout(LayoutKind.Sequential)]
        public struct TimeSpec
        {
            public IntPtr Seconds;
            public IntPtr Nanoseconds;
        }
    }
}
