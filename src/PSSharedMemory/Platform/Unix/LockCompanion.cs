using System;

namespace PSSharedMemory.Platform.Unix
{
    /// <summary>
    /// The small object named <c>&lt;name&gt;_Mutex</c> that holds a segment's lock state, so that every kind of
    /// segment (ours, raw ones made by others, file-backed ones) is locked the same way. It is initialised
    /// by whichever process first finds it uninitialised, while holding flock on it: a process that dies
    /// mid-initialisation drops the flock and the next opener initialises it again.
    /// </summary>
    internal sealed class LockCompanion : IDisposable
    {
        public const int Length = 128;
        public const int RetiredOffset = 8;
        public const int HeldOffset = 12;
        public const int MutexOffset = 64;
        public const int MutexLength = 64;
        private const int MagicOffset = 0;
        private const int LayoutOffset = 4;
        private const uint Magic = 0x4C4D5350; // "PSML"

        private UnixMapping? _mapping;

        private LockCompanion(UnixMapping mapping, int fd, bool created)
        {
            _mapping = mapping;
            Memory = new MappedMemory(mapping.Address, mapping.Length);
            FileDescriptor = fd;
            Created = created;
        }

        public MappedMemory Memory { get; }

        /// <summary>True when this open made the companion's file (O_CREAT|O_EXCL succeeded).</summary>
        public bool Created { get; }

        /// <summary>The open descriptor when the caller asked to keep it (flock-based locks), else -1.</summary>
        public int FileDescriptor { get; private set; }

        public static LockCompanion Open(UnixConstants c, string path, bool keepDescriptor, AccessPolicy policy, Action<MappedMemory> initialize)
        {
            int fd = OpenOrCreate(c, path, policy, out bool created);
            bool keep = false;
            try
            {
                long size = UnixNative.LSeek(fd, 0, UnixNative.SeekEnd);
                if (size < 0) throw UnixErrors.From(c, UnixErrors.LastErrno(), "lseek", path);
                // Growing a short object only appends zeros, so it is safe without the flock.
                if (size < Length && UnixNative.FTruncate(fd, Length) != 0) throw UnixErrors.From(c, UnixErrors.LastErrno(), "ftruncate", path);
                IntPtr address = UnixNative.MMap(IntPtr.Zero, (UIntPtr)Length, UnixNative.ProtReadWrite, UnixNative.MapShared, fd, 0);
                if (address == UnixNative.MapFailed) throw UnixErrors.From(c, UnixErrors.LastErrno(), "mmap", path);
                var companion = new LockCompanion(new UnixMapping(address, Length, path), keepDescriptor ? fd : -1, created);
                if (companion.Memory.ReadUInt32(MagicOffset) != Magic)
                {
                    // Only an uninitialised companion takes the flock, so a flock-based owner never blocks an opener here.
                    LockWholeFile(c, fd, path, UnixNative.LockExclusive);
                    if (companion.Memory.ReadUInt32(MagicOffset) != Magic)
                    {
                        companion.Memory.Clear(0, Length);
                        initialize(companion.Memory);
                        companion.Memory.WriteUInt32(LayoutOffset, 1);
                        companion.Memory.WriteUInt32(MagicOffset, Magic);
                    }

                    LockWholeFile(c, fd, path, UnixNative.LockUnlock);
                }

                keep = keepDescriptor;
                return companion;
            }
            finally
            {
                if (!keep) UnixNative.Close(fd);
            }
        }

        /// <summary>Creates the companion with the policy's mode, or opens an existing one that passes the owner check.</summary>
        private static int OpenOrCreate(UnixConstants c, string path, AccessPolicy policy, out bool created)
        {
            int flags = c.ReadWrite | c.CloseOnExec | c.NoFollow;
            while (true)
            {
                created = false;
                int fd = UnixNative.Open(path, flags | c.Create | c.Exclusive, Convert.ToInt32("600", 8));
                if (fd >= 0)
                {
                    created = true;
                    UnixOwnership.ApplyMode(c, fd, path, policy);
                    return fd;
                }

                int errno = UnixErrors.LastErrno();
                if (errno != c.EEXIST) throw UnixErrors.From(c, errno, "open", path);
                fd = UnixNative.Open(path, flags, 0);
                if (fd >= 0)
                {
                    try
                    {
                        UnixOwnership.CheckOwner(c, fd, path, policy);
                    }
                    catch
                    {
                        UnixNative.Close(fd);
                        throw;
                    }

                    return fd;
                }

                errno = UnixErrors.LastErrno();
                if (errno != c.ENOENT) throw UnixErrors.From(c, errno, "open", path); // ENOENT: removed meanwhile, try again
            }
        }

        public static void LockWholeFile(UnixConstants c, int fd, string path, int operation)
        {
            while (UnixNative.FLock(fd, operation) != 0)
            {
                int errno = UnixErrors.LastErrno();
                if (errno != c.EINTR) throw UnixErrors.From(c, errno, "flock", path);
            }
        }

        public void Dispose()
        {
            _mapping?.Dispose();
            _mapping = null;
            if (FileDescriptor >= 0)
            {
                UnixNative.Close(FileDescriptor);
                FileDescriptor = -1;
            }
        }
    }
}
