using System;
using System.Diagnostics;
using System.Threading;

namespace PSSharedMemory.Platform
{
    /// <summary>
    /// Waiting for a word in shared memory to change where the system has no cross-process wait on an
    /// address: short sleeps, so an idle waiter costs almost no CPU, at up to a millisecond of latency.
    /// </summary>
    internal static class ChangePolling
    {
        public static void Wait(MappedMemory memory, long offset, uint observed, TimeSpan timeout)
        {
            var clock = Stopwatch.StartNew();
            while (memory.ReadUInt32(offset) == observed && clock.Elapsed < timeout)
            {
                Thread.Sleep(1);
            }
        }
    }
}
