using System;
using System.Diagnostics;
using System.Threading;

namespace PSSharedMemory
{
    /// <summary>
    /// Waiting for a segment to change, and retrying an attempt until it succeeds: a waiter reads the change
    /// counter, tries, and if that fails watches the counter on its core for
    /// <see cref="SharedMemorySegment.WaitSpin"/>, then sleeps on it in slices, so that an idle waiter costs
    /// almost nothing and a busy one is woken within a microsecond.
    /// </summary>
    public static class SegmentWaiting
    {
        internal static readonly TimeSpan DefaultSpin = TimeSpan.FromMilliseconds(0.05);
        internal static readonly TimeSpan MaxSpin = TimeSpan.FromSeconds(1);

        /// <summary>The longest sleep between looks at the handle: how soon a wait notices the handle closed.</summary>
        private static readonly TimeSpan SleepSlice = TimeSpan.FromMilliseconds(100);

        /// <summary>
        /// Runs <paramref name="attempt"/> under the lock until it returns something, sleeping on the change
        /// counter in between: how a reader waits for a newer value, and a producer for room in a full queue.
        /// Null when <paramref name="timeout"/> passes first.
        /// </summary>
        public static T? WaitUntil<T>(this SharedMemorySegment segment, Func<LockedSegment, T?> attempt, TimeSpan timeout, TimeSpan? lockTimeout = null, CancellationToken cancellationToken = default)
            where T : class
        {
            if (segment is null) throw new ArgumentNullException(nameof(segment));
            if (attempt is null) throw new ArgumentNullException(nameof(attempt));
            var clock = Stopwatch.StartNew();
            bool counted = false;
            try
            {
                while (true)
                {
                    uint observed;
                    bool lookAgain = false;
                    using (LockedSegment locked = segment.Lock(lockTimeout, cancellationToken))
                    {
                        // Read before the attempt, not after: queue consumers change the segment without the lock,
                        // and a take between a failed attempt and a later read would be slept through.
                        observed = locked.ChangeCounter;
                        T? result = attempt(locked);
                        if (result is not null) return result;
                        if (!counted && segment.Queue is not null)
                        {
                            // Consumers bump the counter for takes only while a producer is counted here. A take
                            // after the count is bumped; one before it may have made the room: so look again, in a
                            // hold of its own (callers may count on one attempt per hold), before sleeping.
                            segment.Header!.CountRoomWaiter(waiting: true);
                            counted = true;
                            lookAgain = true;
                        }
                    }

                    if (lookAgain) continue;
                    TimeSpan remaining = timeout - clock.Elapsed;
                    if (remaining <= TimeSpan.Zero || !segment.WaitForChange(observed, remaining, cancellationToken)) return null;
                }
            }
            finally
            {
                if (counted) segment.UncountRoomWaiter();
            }
        }

        /// <summary>
        /// Runs <paramref name="attempt"/>, without the lock, until it returns something, sleeping on the change
        /// counter in between: how a consumer waits for a message (with one of the <c>TryDequeue</c> methods).
        /// Null when <paramref name="timeout"/> passes first. A shape of its own because queue consumers take
        /// without the lock, which the batched 100 B rows of the benchmark depend on.
        /// </summary>
        public static T? WaitFor<T>(this SharedMemorySegment segment, Func<SharedMemorySegment, T?> attempt, TimeSpan timeout, CancellationToken cancellationToken = default)
            where T : class
        {
            if (segment is null) throw new ArgumentNullException(nameof(segment));
            if (attempt is null) throw new ArgumentNullException(nameof(attempt));
            var clock = Stopwatch.StartNew();
            while (true)
            {
                // Read before the attempt: a change after it is then seen by WaitForChange, never slept through.
                uint observed = segment.ChangeCounterOrClosed();
                T? result = attempt(segment);
                if (result is not null) return result;
                TimeSpan remaining = timeout - clock.Elapsed;
                if (remaining <= TimeSpan.Zero || !segment.WaitForChange(observed, remaining, cancellationToken)) return null;
            }
        }

        /// <summary>
        /// Waits until the segment changes after <paramref name="observed"/> (a change counter read under the
        /// lock): spins for <see cref="SharedMemorySegment.WaitSpin"/>, then sleeps on the counter. False when
        /// the timeout passes.
        /// </summary>
        public static bool WaitForChange(this SharedMemorySegment segment, uint observed, TimeSpan timeout, CancellationToken cancellationToken = default)
        {
            if (segment is null) throw new ArgumentNullException(nameof(segment));
            var clock = Stopwatch.StartNew();
            TimeSpan spin = segment.WaitSpin < timeout ? segment.WaitSpin : timeout;
            while (segment.ChangeCounterOrClosed() == observed && clock.Elapsed < spin)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Thread.SpinWait(1);
            }

            while (segment.ChangeCounterOrClosed() == observed)
            {
                cancellationToken.ThrowIfCancellationRequested();
                TimeSpan remaining = timeout - clock.Elapsed;
                if (remaining <= TimeSpan.Zero) return false;
                segment.SleepUnlessChanged(observed, remaining < SleepSlice ? remaining : SleepSlice);
            }

            return true;
        }
    }
}
