using System;
using System.Diagnostics;
using System.Threading;

namespace PSSharedMemory.Platform.Windows
{
    /// <summary>
    /// The named kernel mutex <c>&lt;name&gt;_Mutex</c> that the seed's programs use. The kernel releases it when
    /// its owning thread ends and reports WAIT_ABANDONED to the next owner.
    /// </summary>
    internal sealed class WindowsMutexLock : ICrossProcessLock
    {
        private const uint WaitSliceMilliseconds = 50;
        private readonly string _name;
        private IntPtr _handle;

        public WindowsMutexLock(string name, IntPtr securityAttributes)
        {
            _name = name;
            _handle = WindowsNative.CreateMutex(securityAttributes, false, name);
            if (_handle == IntPtr.Zero) throw WindowsErrors.From(WindowsErrors.Last(), "CreateMutex", name);
        }

        /// <summary>Windows removes a name with its last handle, so a name is never stale while we hold a handle.</summary>
        public bool IsRetired => false;

        /// <summary>A named mutex goes with its last handle, so nothing is left to clean up: always false.</summary>
        public bool CreatedByThisOpen => false;

        public LockOutcome Acquire(TimeSpan timeout, CancellationToken cancellationToken)
        {
            var clock = Stopwatch.StartNew();
            uint slice = 0; // try once without waiting first
            while (true)
            {
                uint result = WindowsNative.WaitForSingleObject(_handle, slice);
                if (result == WindowsNative.WaitObject0) return LockOutcome.Acquired;
                if (result == WindowsNative.WaitAbandoned) return LockOutcome.AcquiredAbandoned;
                if (result != WindowsNative.WaitTimeout) throw WindowsErrors.From(WindowsErrors.Last(), "WaitForSingleObject", _name);
                cancellationToken.ThrowIfCancellationRequested();
                TimeSpan remaining = timeout - clock.Elapsed;
                if (remaining <= TimeSpan.Zero) return LockOutcome.TimedOut;
                slice = (uint)Math.Min(WaitSliceMilliseconds, Math.Max(1, remaining.TotalMilliseconds));
            }
        }

        public void Release()
        {
            if (!WindowsNative.ReleaseMutex(_handle)) throw WindowsErrors.From(WindowsErrors.Last(), "ReleaseMutex", _name);
        }

        public void Retire()
        {
        }

        public void Dispose()
        {
            if (_handle != IntPtr.Zero) WindowsNative.CloseHandle(_handle);
            _handle = IntPtr.Zero;
        }
    }
}
