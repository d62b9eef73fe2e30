using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using PSSharedMemory.Tests.Infrastructure;
using Xunit;

namespace PSSharedMemory.Tests
{
    public sealed class LockTests : SegmentTest
    {
        public LockTests()
            : base("lock")
        {
        }

        [Fact]
        public void A_held_lock_makes_a_cmdlet_time_out_with_OperationTimeout_and_change_nothing()
        {
            Run("New-SharedMemory -Name $name -Size 64 | Write-SharedMemory -InputObject 'before'").AssertNoErrors();
            using var holder = SharedMemorySegment.Open(new SegmentOptions(SegmentName) { Mode = OpenMode.OpenExisting });
            using var held = new HeldLock(holder);
            var clock = Stopwatch.StartNew();
            var r = Run("Write-SharedMemory -Name $name -InputObject 'after' -TimeoutSeconds 0.3");
            clock.Stop();
            Assert.Equal("WriteSharedMemoryLockTimeout,PSSharedMemory.Commands.WriteSharedMemoryCommand", r.ErrorIds);
            Assert.Equal(ErrorCategory.OperationTimeout, r.Errors[0].CategoryInfo.Category);
            Assert.InRange(clock.Elapsed.TotalSeconds, 0.25, 5);
            held.Dispose();
            Assert.Equal("before", Run("Read-SharedMemory -Name $name").AssertNoErrors().Single);
        }

        [Fact]
        public void The_handle_timeout_applies_when_no_TimeoutSeconds_is_given()
        {
            using var holder = SharedMemorySegment.Open(new SegmentOptions(SegmentName) { Size = 64 });
            var r = Run("$global:h = New-SharedMemory -Name $name -TimeoutSeconds 0.2");
            using (new HeldLock(holder))
            {
                r = Run("Read-SharedMemory $global:h");
            }

            Assert.Equal("ReadSharedMemoryLockTimeout,PSSharedMemory.Commands.ReadSharedMemoryCommand", r.ErrorIds);
        }

        [Fact]
        public void Opening_an_existing_segment_does_not_wait_for_its_lock()
        {
            using var holder = SharedMemorySegment.Open(new SegmentOptions(SegmentName) { Size = 64 });
            using var held = new HeldLock(holder);
            var clock = Stopwatch.StartNew();
            var r = Run("(New-SharedMemory -Name $name -OpenExisting -TimeoutSeconds 0.1).Size; (New-SharedMemory -Name $name -Size 64 -TimeoutSeconds 0.1).Created").AssertNoErrors();
            Assert.Equal(new object[] { 64L, false }, r.Output.Select(o => o.BaseObject));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5));
        }

        [Fact]
        public void Stopping_the_pipeline_ends_a_lock_wait_at_once()
        {
            using var holder = SharedMemorySegment.Open(new SegmentOptions(SegmentName) { Size = 64 });
            using var held = new HeldLock(holder);
            AssertStopsPromptly($"Write-SharedMemory -Name {SegmentName} -InputObject 1 -TimeoutSeconds 60");
        }

        [Fact]
        public void Threads_of_one_process_exclude_each_other()
        {
            using var a = SharedMemorySegment.Open(new SegmentOptions(SegmentName) { Size = 64 });
            using var b = SharedMemorySegment.Open(new SegmentOptions(SegmentName) { Mode = OpenMode.OpenExisting });
            int inside = 0, overlaps = 0;
            void Work(SharedMemorySegment s)
            {
                for (int i = 0; i < 2000; i++)
                {
                    using var l = s.Lock();
                    if (Interlocked.Increment(ref inside) != 1) Interlocked.Increment(ref overlaps);
                    Thread.SpinWait(20);
                    Interlocked.Decrement(ref inside);
                }
            }

            var t1 = new Thread(() => Work(a));
            var t2 = new Thread(() => Work(b));
            t1.Start();
            t2.Start();
            t1.Join();
            t2.Join();
            Assert.Equal(0, overlaps);
        }

        /// <summary>Holds a segment's lock on a thread of its own until disposed, as another owner would.</summary>
        private sealed class HeldLock : IDisposable
        {
            private readonly ManualResetEventSlim _taken = new ManualResetEventSlim();
            private readonly ManualResetEventSlim _release = new ManualResetEventSlim();
            private readonly Thread _thread;
            private bool _disposed;

            public HeldLock(SharedMemorySegment segment)
            {
                _thread = new Thread(() =>
                {
                    using (segment.Lock())
                    {
                        _taken.Set();
                        _release.Wait();
                    }
                });
                _thread.Start();
                _taken.Wait();
            }

            public void Dispose()
            {
                if (_disposed) return;
                _disposed = true;
                _release.Set();
                _thread.Join();
            }
        }
    }
}
