using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;

namespace PSSharedMemory.Platform.Unix
{
    /// <summary>
    /// POSIX shared memory. On Linux an shm object is the file <c>/dev/shm/&lt;name&gt;</c> (exactly what glibc's
    /// shm_open opens, and what Python's multiprocessing.shared_memory uses), which also lets us list them.
    /// macOS has no such directory, so there shm_open itself is called.
    /// </summary>
    internal sealed class UnixPlatform : IPlatform
    {
        private const string LinuxShmDirectory = "/dev/shm/";
        private const string MacLockDirectory = "/tmp/PSSharedMemory.locks/";
        private const int LinuxNameMax = 255;
        private const int MacShmNameMax = 31;
        private static readonly int OwnerReadWrite = Convert.ToInt32("600", 8);
        private const int FutexWaitOperation = 0;
        private const int FutexWakeOperation = 1;
        private static readonly long FutexSyscall = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 98 : 202;

        private readonly UnixConstants _c;
        private readonly bool _isLinux;

        public UnixPlatform(bool isLinux)
        {
            _isLinux = isLinux;
            _c = isLinux ? UnixConstants.Linux : UnixConstants.MacOS;
        }

        public long MaxMappingLength => IntPtr.Size == 8 ? 1L << 46 : int.MaxValue;

        public SegmentName ParseName(string name, SegmentScope scope)
        {
            (string bare, SegmentScope parsedScope) = SegmentNameRules.Split(name, scope);
            string lockName = bare + SegmentNameRules.LockSuffix;
            int limit = _isLinux ? LinuxNameMax : MacShmNameMax - 1;
            if (bare == "." || bare == ".." || Encoding.UTF8.GetByteCount(lockName) > limit)
            {
                throw Errors.Create(SharedMemoryError.NameInvalid, name, nameof(Resources.Messages.NameTooLong), name, limit - SegmentNameRules.LockSuffix.Length);
            }

            return new SegmentName(bare, parsedScope, bare, lockName);
        }

        public IMapping OpenNamed(SegmentName name, OpenMode mode, long? length, AccessPolicy policy, out bool created)
        {
            return OpenObject(MappingPath(name), mode, length, noFollow: true, policy, out created);
        }

        public IMapping OpenFile(SegmentName name, string path, OpenMode mode, long? length, AccessPolicy policy, out bool created) =>
            OpenObject(path, mode, length, noFollow: false, policy, out created);

        public ICrossProcessLock OpenLock(SegmentName name, AccessPolicy policy)
        {
            if (_isLinux) return RobustMutexLock.Open(_c, LockPath(name), policy);
            EnsureSharedDirectory(MacLockDirectory);
            return FileLock.Open(_c, LockPath(name), policy);
        }

        public void Unlink(SegmentName name, bool fileBacked)
        {
            if (!fileBacked) RemovePath(MappingPath(name), throwOnError: true);
            RemovePath(LockPath(name), throwOnError: true);
        }

        public void DiscardUnusedLock(SegmentName name, string? path, ICrossProcessLock crossProcessLock)
        {
            LockOutcome outcome;
            try
            {
                outcome = crossProcessLock.Acquire(TimeSpan.Zero, CancellationToken.None);
            }
            catch (SharedMemoryException)
            {
                return; // the open's own error is the one to report
            }

            if (outcome == LockOutcome.TimedOut) return;
            try
            {
                // macOS shm objects have no path to look at: there only a lock this open made is removed.
                string? mapping = path ?? (_isLinux ? MappingPath(name) : null);
                bool mappingExists = mapping is null || File.Exists(mapping) || Directory.Exists(mapping);
                if (!crossProcessLock.CreatedByThisOpen && mappingExists) return;
                crossProcessLock.Retire();
                RemovePath(LockPath(name), throwOnError: false);
            }
            finally
            {
                crossProcessLock.Release();
            }
        }

        /// <summary>The shm object's name for shm_open: on Linux also its path in the file system, on macOS not.</summary>
        private string MappingPath(SegmentName name) => _isLinux ? LinuxShmDirectory + name.MappingName : "/" + name.MappingName;

        private string LockPath(SegmentName name) => (_isLinux ? LinuxShmDirectory : MacLockDirectory) + name.LockName;

        /// <summary>Linux: a futex on the shared word (not the private kind, which would not cross processes).</summary>
        public void WaitForChange(MappedMemory memory, long offset, uint observed, TimeSpan timeout)
        {
            if (!_isLinux)
            {
                ChangePolling.Wait(memory, offset, observed, timeout);
                return;
            }

            var relative = new UnixNative.TimeSpec
            {
                Seconds = new IntPtr(timeout.Ticks / TimeSpan.TicksPerSecond),
                Nanoseconds = new IntPtr(timeout.Ticks % TimeSpan.TicksPerSecond * 100),
            };
            // Returns at once when the word no longer holds `observed`; EAGAIN, EINTR and ETIMEDOUT all just mean "look again".
            UnixNative.FutexWait(FutexSyscall, memory.AddressOf(offset, sizeof(uint)), FutexWaitOperation, observed, ref relative, IntPtr.Zero, 0);
        }

        public void WakeAll(MappedMemory memory, long offset)
        {
            if (_isLinux) UnixNative.FutexWake(FutexSyscall, memory.AddressOf(offset, sizeof(uint)), FutexWakeOperation, int.MaxValue, IntPtr.Zero, IntPtr.Zero, 0);
        }

        public IEnumerable<ExistingSegment> ListSegments()
        {
            if (!_isLinux || !Directory.Exists(LinuxShmDirectory)) yield break;
            foreach (string path in Directory.GetFiles(LinuxShmDirectory))
            {
                string fileName = Path.GetFileName(path);
                // Lock companions and POSIX named semaphores ("sem.*") are not segments.
                if (fileName.EndsWith(SegmentNameRules.LockSuffix, StringComparison.Ordinal) || fileName.StartsWith("sem.", StringComparison.Ordinal)) continue;
                long length;
                try
                {
                    length = new FileInfo(path).Length;
                }
                catch (IOException)
                {
                    continue; // removed while we listed
                }

                yield return new ExistingSegment(fileName, path, length);
            }
        }

        private IMapping OpenObject(string path, OpenMode mode, long? length, bool noFollow, AccessPolicy policy, out bool created)
        {
            int baseFlags = _c.ReadWrite | _c.CloseOnExec | (noFollow ? _c.NoFollow : 0);
            int fd;
            created = false;
            while (true)
            {
                if (mode != OpenMode.OpenExisting && length.HasValue)
                {
                    // O_EXCL decides created-versus-opened in one step; there is no window for a race.
                    fd = OpenPath(path, baseFlags | _c.Create | _c.Exclusive);
                    if (fd >= 0)
                    {
                        created = true;
                        break;
                    }

                    int errno = UnixErrors.LastErrno();
                    if (errno != _c.EEXIST) throw UnixErrors.From(_c, errno, "open", path);
                    if (mode == OpenMode.CreateNew) throw Errors.Create(SharedMemoryError.AlreadyExists, path, nameof(Resources.Messages.AlreadyExists), path);
                }

                fd = OpenPath(path, baseFlags);
                if (fd >= 0) break;
                int openErrno = UnixErrors.LastErrno();
                // Removed between our two opens: try to create it again.
                if (openErrno == _c.ENOENT && mode == OpenMode.CreateOrOpen && length.HasValue) continue;
                if (openErrno == _c.ENOENT) throw Errors.Native(SharedMemoryError.NotFound, path, openErrno, nameof(Resources.Messages.NotFound), path);
                throw UnixErrors.From(_c, openErrno, "open", path);
            }

            try
            {
                long size;
                if (created) UnixOwnership.ApplyMode(_c, fd, path, policy);
                else UnixOwnership.CheckOwner(_c, fd, path, policy);
                if (created)
                {
                    Reserve(fd, path, length!.Value);
                    size = length.Value;
                }
                else
                {
                    size = SizeOf(fd, path);
                }

                if (size <= 0) throw Errors.Create(SharedMemoryError.FileInvalid, path, nameof(Resources.Messages.EmptyObject), path);
                if (size > MaxMappingLength) throw Errors.Create(SharedMemoryError.SizeInvalid, path, nameof(Resources.Messages.SizeTooLarge), size, MaxMappingLength);
                IntPtr address = UnixNative.MMap(IntPtr.Zero, (UIntPtr)(ulong)size, UnixNative.ProtReadWrite, UnixNative.MapShared, fd, 0);
                if (address == UnixNative.MapFailed) throw UnixErrors.From(_c, UnixErrors.LastErrno(), "mmap", path);
                // A file's length can be changed by anyone who can write it: keep its descriptor to check it.
                var mapping = new UnixMapping(address, size, path, noFollow ? -1 : fd);
                if (!noFollow) fd = -1;
                return mapping;
            }
            catch
            {
                if (created) RemovePath(path, throwOnError: false);
                throw;
            }
            finally
            {
                if (fd >= 0) UnixNative.Close(fd);
            }
        }

        private int OpenPath(string path, int flags)
        {
            if (_isLinux || !path.StartsWith("/", StringComparison.Ordinal) || path.IndexOf('/', 1) >= 0)
            {
                return UnixNative.Open(path, flags, OwnerReadWrite);
            }

            return RuntimeInformation.ProcessArchitecture == Architecture.Arm64
                ? UnixNative.ShmOpenArm64Variadic(path, flags, IntPtr.Zero, IntPtr.Zero, IntPtr.Zero, IntPtr.Zero, IntPtr.Zero, IntPtr.Zero, OwnerReadWrite)
                : UnixNative.ShmOpen(path, flags, OwnerReadWrite);
        }

        /// <summary>
        /// Backs every page now, so that a segment larger than the free space fails here with a clear error
        /// rather than killing the process with SIGBUS on the first write to a page that cannot be backed.
        /// </summary>
        private void Reserve(int fd, string path, long length)
        {
            if (UnixNative.FTruncate(fd, length) != 0) throw UnixErrors.From(_c, UnixErrors.LastErrno(), "ftruncate", path);
            if (_isLinux)
            {
                int result = UnixNative.PosixFAllocate(fd, 0, length);
                if (result != 0) throw UnixErrors.From(_c, result, "posix_fallocate", path);
            }
        }

        private long SizeOf(int fd, string path)
        {
            if (_isLinux)
            {
                long size = UnixNative.LSeek(fd, 0, UnixNative.SeekEnd);
                if (size < 0) throw UnixErrors.From(_c, UnixErrors.LastErrno(), "lseek", path);
                return size;
            }

            // macOS shm objects do not support lseek; st_size is at offset 96 of the 64-bit-inode struct stat.
            var stat = new byte[256];
            if (UnixNative.FStat(fd, stat) != 0) throw UnixErrors.From(_c, UnixErrors.LastErrno(), "fstat", path);
            return BitConverter.ToInt64(stat, 96);
        }

        /// <summary>Removes a path or, on macOS, an shm object name; a name already gone is not an error.</summary>
        private void RemovePath(string path, bool throwOnError)
        {
            bool isShmName = !_isLinux && path.IndexOf('/', 1) < 0;
            if ((isShmName ? UnixNative.ShmUnlink(path) : UnixNative.Unlink(path)) == 0) return;
            int errno = UnixErrors.LastErrno();
            if (throwOnError && errno != _c.ENOENT) throw UnixErrors.From(_c, errno, "unlink", path);
        }

        private void EnsureSharedDirectory(string path)
        {
            // Sticky and world-writable like /tmp, so that every user can keep their own lock files there.
            if (UnixNative.MkDir(path, Convert.ToInt32("1777", 8)) == 0) UnixNative.ChMod(path, Convert.ToInt32("1777", 8));
        }
    }
}
