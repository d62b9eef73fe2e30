using System;

namespace PSSharedMemory
{
    /// <summary>
    /// A test-only pause between the steps of a value write, so that crash tests can kill a writer inside
    /// the lock, mid-copy or between header updates. Internal: only the test worker (through
    /// InternalsVisibleTo) can set it; no cmdlet parameter or setting reaches it. Null, and free, otherwise.
    /// </summary>
    internal static class FaultInjection
    {
        /// <summary>Called with the name of the step just done.</summary>
        internal static Action<string>? Pause { get; set; }
    }
}
