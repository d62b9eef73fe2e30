using System;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Threading;

namespace PSSharedMemory.Platform.Unix
{
    /// <summary>
    /// A process-shared, robust, error-checking pthread mutex living in the segment's lock companion.
    /// Why it is correct: the kernel keeps a robust-futex list per thread, so when an owner dies the kernel
    /// marks the mutex owner-died and wakes one waiter, whose lock call returns EOWNERDEAD; that waiter owns
    /// the mutex, is told, and makes it consistent. Any process that maps the object shares it, whatever
    /// its session or runtime. Uncontended lock and unlock are one atomic instruction each in libc, with no
    /// system call; the kernel is entered only to sleep on contention.
    /// </summary>
    internal sealed class RobustMutexLock : ICrossProcessLock
    {
        private const int ErrorCheckType = 2;
        private const int ProcessShared = 1;
        private const int Robust = 1;
        private static readonly TimeSpan WaitSlice = TimeSpan.FromMilliseconds(50);
        private static readonly long SpinTicks = Stopwatch.Frequency * 20 / 1_000_000;

        private readonly UnixConstants _c;
        private readonly string _path;
        private readonly LockCompanion _companion;
        private readonly IntPtr _mutex;

        private RobustMutexLock(UnixConstants c, string path, LockCompanion companion)
        {
            _c = c;
            _path = path;
            _companion = companion;
            _mutex = companion.Memory.AddressOf(LockCompanion.MutexOffset, LockCompanion.MutexLength);
        }

        public bool IsRetired => _companion.Memory.ReadUInt32(LockCompanion.RetiredOffset) != 0;

        public bool CreatedByThisOpen => _companion.Created;

        public static RobustMutexLock Open(UnixConstants c, string path, AccessPolicy policy = default)
        {
            var companion = LockCompanion.Open(c, path, keepDescriptor: false, policy, memory => InitializeMutex(c, path, memory));
            return new RobustMutexLock(c, path, companion);
        }

        public LockOutcome Acquire(TimeSpan timeout, CancellationToken cancellationToken)
        {
            int result = UnixNative.MutexTryLock(_mutex);
            if (result == _c.EBUSY) result = SpinBriefly();
            if (result == _c.EBUSY)
            {
                result = WaitInSlices(timeout, cancellationToken);
            }

            if (result == 0) return LockOutcome.Acquired;
            if (result == _c.ETIMEDOUT) return LockOutcome.TimedOut;
            if (result == _c.EOWNERDEAD)
            {
                UnixNative.MutexConsistent(_mutex);
                return LockOutcome.AcquiredAbandoned;
            }

            if (result == _c.EDEADLK) throw Errors.Create(SharedMemoryError.LockReentered, _path, nameof(Resources.Messages.LockReentered), _path);
            throw UnixErrors.From(_c, result, "pthread_mutex_lock", _path);
        }

        public void Release()
        {
            int result = UnixNative.MutexUnlock(_mutex);
            if (result != 0) throw UnixErrors.From(_c, result, "pthread_mutex_unlock", _path);
        }

        public void Retire() => _companion.Memory.WriteUInt32(LockCompanion.RetiredOffset, 1);

        public void Dispose() => _companion.Dispose();

        /// <summary>
        /// Critical sections here last a few microseconds, less than it takes the kernel to put a thread to
        /// sleep and wake it again; so a contended acquire first retries for about as long as one of them
        /// (as glibc's adaptive mutexes do) before it sleeps in the kernel.
        /// </summary>
        private int SpinBriefly()
        {
            long deadline = Stopwatch.GetTimestamp() + SpinTicks;
            int result;
            do
            {
                Thread.SpinWait(8);
                result = UnixNative.MutexTryLock(_mutex);
            }
            while (result == _c.EBUSY && Stopwatch.GetTimestamp() < deadline);
            return result;
        }

        private int WaitInSlices(TimeSpan timeout, CancellationToken cancellationToken)
        {
            // Short timed waits rather than one long one, so that Ctrl+C ends a wait promptly.
            var clock = Stopwatch.StartNew();
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                TimeSpan remaining = timeout - clock.Elapsed;
                if (remaining <= TimeSpan.Zero) return _c.ETIMEDOUT;
                TimeSpan slice = remaining < WaitSlice ? remaining : WaitSlice;
                long deadlineTicks = DateTime.UtcNow.Ticks - new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks + slice.Ticks;
                var deadline = new UnixNative.TimeSpec
                {
                    Seconds = new IntPtr(deadlineTicks / TimeSpan.TicksPerSecond),
                    Nanoseconds = new IntPtr((deadlineTicks % TimeSpan.TicksPerSecond) * 100),
                };
                int result = UnixNative.MutexTimedLock(_mutex, ref deadline);
                if (result != _c.ETIMEDOUT) return result;
            }
        }

        private static void InitializeMutex(UnixConstants c, string path, MappedMemory memory)
        {
            IntPtr attributes = Marshal.AllocHGlobal(64);
            try
            {
                Check(c, UnixNative.MutexAttrInit(attributes), path);
                Check(c, UnixNative.MutexAttrSetType(attributes, ErrorCheckType), path);
                Check(c, UnixNative.MutexAttrSetPShared(attributes, ProcessShared), path);
                Check(c, UnixNative.MutexAttrSetRobust(attributes, Robust), path);
                Check(c, UnixNative.MutexInit(memory.AddressOf(LockCompanion.MutexOffset, LockCompanion.MutexLength), attributes), path);
                UnixNative.MutexAttrDestroy(attributes);
            }
            finally
            {
                Marshal.FreeHGlobal(attributes);
            }
        }

        private static void Check(UnixConstants c, int result, string path)
        {
            if (result != 0) throw UnixErrors.From(c, result, "pthread_mutex_init", path);
        }
    }
}
