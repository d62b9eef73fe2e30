namespace PSSharedMemory.Platform
{
    /// <summary>How a wait for a cross-process lock ended.</summary>
    internal enum LockOutcome
    {
        Acquired,
        /// <summary>Acquired, but the previous owner ended while holding it.</summary>
        AcquiredAbandoned,
        TimedOut,
    }
}
