using System;
using System.Diagnostics;
using System.Threading;

namespace PSSharedMemory.Platform.Unix
{
    /// <summary>
    /// The lock for Unix systems without robust process-shared mutexes (macOS): flock on the companion file,
    /// which the kernel drops when its owner dies. A "held" word in the companion, set after acquiring and
    /// cleared before releasing, tells the next owner that the previous one died holding it. Each acquire
    /// is a system call, so this is slower than <see cref="RobustMutexLock"/>.
    /// </summary>
    internal sealed class FileLock : ICrossProcessLock
    {
        private readonly UnixConstants _c;
        private readonly string _path;
        private readonly LockCompanion _companion;

        private FileLock(UnixConstants c, string path, LockCompanion companion)
        {
            _c = c;
            _path = path;
            _companion = companion;
        }

        public bool IsRetired => _companion.Memory.ReadUInt32(LockCompanion.RetiredOffset) != 0;

        public bool CreatedByThisOpen => _companion.Created;

        public static FileLock Open(UnixConstants c, string path, AccessPolicy policy = default) =>
            new FileLock(c, path, LockCompanion.Open(c, path, keepDescriptor: true, policy, _ => { }));

        public LockOutcome Acquire(TimeSpan timeout, CancellationToken cancellationToken)
        {
            var clock = Stopwatch.StartNew();
            int pause = 0;
            while (UnixNative.FLock(_companion.FileDescriptor, UnixNative.LockExclusive | UnixNative.LockNonBlocking) != 0)
            {
                int errno = UnixErrors.LastErrno();
                if (errno != _c.EWOULDBLOCK && errno != _c.EINTR) throw UnixErrors.From(_c, errno, "flock", _path);
                cancellationToken.ThrowIfCancellationRequested();
                if (clock.Elapsed >= timeout) return LockOutcome.TimedOut;
                pause = Math.Min(pause + 1, 20);
                Thread.Sleep(pause);
            }

            bool abandoned = _companion.Memory.ReadUInt32(LockCompanion.HeldOffset) != 0;
            _companion.Memory.WriteUInt32(LockCompanion.HeldOffset, 1);
            return abandoned ? LockOutcome.AcquiredAbandoned : LockOutcome.Acquired;
        }

        public void Release()
        {
            _companion.Memory.WriteUInt32(LockCompanion.HeldOffset, 0);
            LockCompanion.LockWholeFile(_c, _companion.FileDescriptor, _path, UnixNative.LockUnlock);
        }

        public void Retire() => _companion.Memory.WriteUInt32(LockCompanion.RetiredOffset, 1);

        public void Dispose() => _companion.Dispose();
    }
}
