using System;
using System.Threading;

namespace PSSharedMemory.Platform
{
    /// <summary>
    /// A lock shared by every process that uses a segment, released by the operating system when its
    /// owner dies, with the death reported to the next owner.
    /// </summary>
    internal interface ICrossProcessLock : IDisposable
    {
        /// <summary>Waits up to <paramref name="timeout"/>; throws <see cref="OperationCanceledException"/> when canceled.</summary>
        LockOutcome Acquire(TimeSpan timeout, CancellationToken cancellationToken);

        void Release();

        /// <summary>True when opening this lock made its name (a Unix lock companion); false when it existed, and on Windows.</summary>
        bool CreatedByThisOpen { get; }

        /// <summary>True once the segment was removed: a process that reopens by name must get a fresh lock.</summary>
        bool IsRetired { get; }

        /// <summary>Marks the lock as belonging to a removed segment. Call while holding it.</summary>
        void Retire();
    }
}
