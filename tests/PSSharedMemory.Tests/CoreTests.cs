using System;
using System.IO;
using System.Threading;
using PSSharedMemory.Platform;
using PSSharedMemory.Platform.Unix;
using PSSharedMemory.Tests.Infrastructure;
using Xunit;

namespace PSSharedMemory.Tests
{
    /// <summary>The core without PowerShell: checksum, locks and their crash reporting.</summary>
    public sealed class CoreTests : IDisposable
    {
        private readonly string _name = Names.Unique("core");

        public void Dispose()
        {
            File.Delete(Names.ShmPath(_name));
            File.Delete(Names.ShmPath(_name) + "_Mutex");
            File.Delete(Path.Combine(Path.GetTempPath(), _name + "_Mutex"));
        }

        [Fact]
        public void Crc32_is_the_zlib_checksum()
        {
            Assert.Equal(0xCBF43926u, Crc32.Compute(System.Text.Encoding.ASCII.GetBytes("123456789")));
            var random = new Random(7);
            foreach (int length in new[] { 0, 1, 7, 8, 9, 15, 16, 17, 1000, 65537 })
            {
                var data = new byte[length];
                random.NextBytes(data);
                Assert.Equal(System.IO.Hashing.Crc32.HashToUInt32(data), Crc32.Compute(data));
            }
        }

        [Fact]
        public void Robust_mutex_reports_an_owner_thread_that_ended_holding_it()
        {
            using var first = RobustMutexLock.Open(UnixConstants.Linux, Names.ShmPath(_name) + "_Mutex");
            using var second = RobustMutexLock.Open(UnixConstants.Linux, Names.ShmPath(_name) + "_Mutex");
            var owner = new Thread(() => Assert.Equal(LockOutcome.Acquired, first.Acquire(TimeSpan.FromSeconds(5), CancellationToken.None)));
            owner.Start();
            owner.Join(); // the thread ends without releasing: the kernel's robust list hands the lock on

            Assert.Equal(LockOutcome.AcquiredAbandoned, second.Acquire(TimeSpan.FromSeconds(5), CancellationToken.None));
            second.Release();
            Assert.Equal(LockOutcome.Acquired, second.Acquire(TimeSpan.FromSeconds(5), CancellationToken.None));
            second.Release();
        }

        [Fact]
        public void Robust_mutex_times_out_while_another_owner_holds_it()
        {
            using var first = RobustMutexLock.Open(UnixConstants.Linux, Names.ShmPath(_name) + "_Mutex");
            using var second = RobustMutexLock.Open(UnixConstants.Linux, Names.ShmPath(_name) + "_Mutex");
            using var held = new ManualResetEventSlim();
            using var done = new ManualResetEventSlim();
            var owner = new Thread(() =>
            {
                first.Acquire(TimeSpan.FromSeconds(5), CancellationToken.None);
                held.Set();
                done.Wait();
                first.Release();
            });
            owner.Start();
            held.Wait();
            Assert.Equal(LockOutcome.TimedOut, second.Acquire(TimeSpan.FromMilliseconds(120), CancellationToken.None));
            using var cancel = new CancellationTokenSource(100);
            Assert.Throws<OperationCanceledException>(() => second.Acquire(TimeSpan.FromSeconds(30), cancel.Token));
            done.Set();
            owner.Join();
            Assert.Equal(LockOutcome.Acquired, second.Acquire(TimeSpan.FromSeconds(5), CancellationToken.None));
            second.Release();
        }

        [Fact]
        public void File_lock_excludes_other_descriptors_and_reports_an_owner_that_died()
        {
            // The macOS lock, exercised here on Linux, where flock behaves the same.
            string path = Path.Combine(Path.GetTempPath(), _name + "_Mutex");
            var dying = FileLock.Open(UnixConstants.Linux, path);
            using var next = FileLock.Open(UnixConstants.Linux, path);
            Assert.Equal(LockOutcome.Acquired, dying.Acquire(TimeSpan.FromSeconds(5), CancellationToken.None));
            Assert.Equal(LockOutcome.TimedOut, next.Acquire(TimeSpan.FromMilliseconds(100), CancellationToken.None));

            dying.Dispose(); // closing the descriptor is what the kernel does for a process that dies
            Assert.Equal(LockOutcome.AcquiredAbandoned, next.Acquire(TimeSpan.FromSeconds(5), CancellationToken.None));
            next.Release();
            Assert.Equal(LockOutcome.Acquired, next.Acquire(TimeSpan.FromSeconds(5), CancellationToken.None));
            next.Release();
        }

        [Fact]
        public void A_lock_companion_left_half_initialised_is_initialised_again()
        {
            string path = Names.ShmPath(_name) + "_Mutex";
            File.WriteAllBytes(path, new byte[10]); // a creator that died after creating the object, before initialising it
            using var lockObject = RobustMutexLock.Open(UnixConstants.Linux, path);
            Assert.Equal(LockOutcome.Acquired, lockObject.Acquire(TimeSpan.FromSeconds(1), CancellationToken.None));
            lockObject.Release();
            Assert.Equal(128, new FileInfo(path).Length);
        }

        [Fact]
        public void Locking_twice_on_one_thread_is_refused_on_every_handle()
        {
            using var a = SharedMemorySegment.Open(new SegmentOptions(_name) { Size = 64 });
            using var b = SharedMemorySegment.Open(new SegmentOptions(_name) { Mode = OpenMode.OpenExisting });
            using (a.Lock())
            {
                var e = Assert.Throws<SharedMemoryException>(() => b.Lock());
                Assert.Equal(SharedMemoryError.LockReentered, e.Error);
            }

            using (b.Lock())
            {
            }
        }

        [Fact]
        public void Reading_a_value_allocates_in_proportion_to_the_value_not_to_the_capacity()
        {
            using var segment = SharedMemorySegment.Open(new SegmentOptions(_name) { Size = 64 * 1024 * 1024 });
            using var locked = segment.Lock();
            locked.WriteValue(PayloadKind.Bytes, new byte[10]);
            locked.ReadValue();
            long before = GC.GetAllocatedBytesForCurrentThread();
            StoredValue value = locked.ReadValue()!;
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(10, value.Payload.Length);
            Assert.True(allocated < 4096, $"reading a 10-byte value from a 64 MiB segment allocated {allocated} bytes");
        }

        [Fact]
        public void Out_of_space_is_refused_at_creation_with_a_clear_error()
        {
            // Larger than any /dev/shm here: posix_fallocate refuses it before anything can fault on a page.
            var e = Assert.Throws<SharedMemoryException>(() => SharedMemorySegment.Open(new SegmentOptions(_name) { Size = 1L << 44 }));
            Assert.Equal(SharedMemoryError.OutOfSpace, e.Error);
            Assert.False(File.Exists(Names.ShmPath(_name)));
        }
    }
}
