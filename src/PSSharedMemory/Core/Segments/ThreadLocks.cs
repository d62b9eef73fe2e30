using System;
using System.Collections.Generic;
using System.Threading;
using PSSharedMemory.Platform;

namespace PSSharedMemory
{
    /// <summary>
    /// The cross-process locks this thread holds, by lock name, across all handles of this process: taking a
    /// lock twice on one thread is refused the same way on every platform (Windows mutexes would allow it,
    /// pthread error-checking mutexes refuse it, and either way it is a nested call that would misbehave). Per
    /// thread, so that checking it costs no synchronisation on the uncontended path.
    /// </summary>
    internal static class ThreadLocks
    {
        [ThreadStatic]
        private static List<string>? held;

        /// <summary>This thread's held locks, read once per operation: each read of a thread-static field went through the C library's thread-local lookup.</summary>
        public static List<string> Held => held ??= new List<string>(2);

        /// <summary>Takes the cross-process lock and notes it in <paramref name="heldLocks"/>; the caller has checked, with <see cref="ThrowIfHeld"/>, that this thread does not hold it already.</summary>
        public static LockOutcome Acquire(List<string> heldLocks, ICrossProcessLock crossProcessLock, SegmentName name, TimeSpan timeout, CancellationToken cancellationToken)
        {
            LockOutcome outcome;
            try
            {
                outcome = crossProcessLock.Acquire(timeout, cancellationToken);
            }
            catch (OperationCanceledException e)
            {
                throw new SharedMemoryException(SharedMemoryError.Canceled, Errors.Format(nameof(Resources.Messages.Canceled), name.Name), name.Name, 0, e);
            }

            if (outcome == LockOutcome.TimedOut)
            {
                throw Errors.Create(SharedMemoryError.LockTimeout, name.Name, nameof(Resources.Messages.LockTimeout), name.Name, timeout.TotalSeconds);
            }

            heldLocks.Add(name.LockName);
            return outcome;
        }

        public static void Release(ICrossProcessLock crossProcessLock, SegmentName name)
        {
            List<string> heldLocks = Held;
            int at = IndexOf(heldLocks, name);
            if (at >= 0) heldLocks.RemoveAt(at);
            crossProcessLock.Release();
        }

        public static void ThrowIfHeld(List<string> heldLocks, SegmentName name)
        {
            if (IndexOf(heldLocks, name) >= 0) throw Errors.Create(SharedMemoryError.LockReentered, name.Name, nameof(Resources.Messages.LockReentered), name.Name);
        }

        public static bool Holds(SegmentName name) => IndexOf(Held, name) >= 0;

        /// <summary>Where <paramref name="heldLocks"/> names the lock, searched from the most recent; -1 if nowhere.</summary>
        private static int IndexOf(List<string> heldLocks, SegmentName name)
        {
            for (int i = heldLocks.Count - 1; i >= 0; i--)
            {
                if (string.Equals(heldLocks[i], name.LockName, StringComparison.Ordinal)) return i;
            }

            return -1;
        }
    }
}
