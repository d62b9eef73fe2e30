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
            Names.DeleteSegment(_name);
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
        public void LaneSum_has_the_documented_value_and_reads_only_its_range()
        {
            Assert.Equal(0xa0b6b1ceu, LaneSum.Compute(System.Text.Encoding.ASCII.GetBytes("abc")));
            Assert.Equal(0u, LaneSum.Compute(Array.Empty<byte>()));
            var framed = new byte[] { 9, 9, (byte)'a', (byte)'b', (byte)'c', 9 };
            Assert.Equal(0xa0b6b1ceu, LaneSum.Compute(framed, 2, 3));
            Assert.Throws<ArgumentOutOfRangeException>(() => LaneSum.Compute(framed, 4, 3));
        }

        [Fact]
        public void LaneSum_catches_every_change_to_one_or_two_words_and_moved_or_appended_zeros()
        {
            var random = new Random(5);
            var data = new byte[4096 + 7];
            random.NextBytes(data);
            uint original = LaneSum.Compute(data);
            for (int trial = 0; trial < 20_000; trial++)
            {
                var changed = (byte[])data.Clone();
                int changes = 1 + (trial % 2);
                for (int c = 0; c < changes; c++)
                {
                    int word = random.Next(data.Length / 4) * 4;
                    uint delta = (uint)random.Next(1, int.MaxValue) | (trial % 3 == 0 ? 0x80000000u : 0u);
                    BitConverter.TryWriteBytes(changed.AsSpan(word), BitConverter.ToUInt32(changed, word) ^ delta);
                }

                if (changes == 2 && changed.AsSpan().SequenceEqual(data)) continue;
                Assert.NotEqual(original, LaneSum.Compute(changed));
            }

            // Two words swapped, and zeros appended (the same padded blocks, another length).
            var swapped = (byte[])data.Clone();
            Array.Copy(data, 0, swapped, 64, 4);
            Array.Copy(data, 64, swapped, 0, 4);
            Assert.NotEqual(original, LaneSum.Compute(swapped));
            Assert.NotEqual(LaneSum.Compute(new byte[5]), LaneSum.Compute(new byte[6]));
        }

        [Fact]
        public void Messages_taken_into_a_buffer_allocate_nothing_per_message_and_a_batch_bumps_the_counter_once()
        {
            using var queue = SharedMemorySegment.Open(new SegmentOptions(_name) { Size = 64 * 1024, Kind = SegmentKind.Queue });
            var message = new byte[100];
            var buffer = new byte[256];
            uint before;
            using (LockedSegment locked = queue.Lock()) before = locked.ChangeCounter;
            using (LockedSegment locked = queue.Lock())
            {
                for (int i = 0; i < 10; i++) Assert.True(locked.TryEnqueue(PayloadKind.Bytes, message));
            }

            using (LockedSegment locked = queue.Lock())
            {
                Assert.Equal(before + 1, locked.ChangeCounter);
                for (int i = 0; i < 10; i++) Assert.Equal(100, queue.TryDequeue(buffer, 0, out _));
            }

            int whole = 0;
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            for (int round = 0; round < 1000; round++)
            {
                using LockedSegment locked = queue.Lock();
                message[0] = (byte)round;
                for (int i = 0; i < 10; i++) locked.TryEnqueue(PayloadKind.Bytes, message);
                for (int i = 0; i < 10; i++)
                {
                    if (queue.TryDequeue(buffer, 3, out PayloadKind kind) == 100 && kind == PayloadKind.Bytes) whole++;
                }
            }

            // 10,000 messages through the ring; what remains is a lock object per hold, not a byte per message.
            allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
            Assert.True(allocated < 1000 * 200, $"{allocated} bytes allocated for 10,000 messages");
            Assert.Equal(10_000, whole);
            Assert.Equal(unchecked((byte)999), buffer[3]);

            using (LockedSegment locked = queue.Lock())
            {
                Assert.Equal(-1, queue.TryDequeue(buffer, 0, out PayloadKind none));
                Assert.Equal(PayloadKind.None, none);
                locked.TryEnqueue(PayloadKind.Utf8Text, new byte[200]);
                var e = Assert.Throws<SharedMemoryException>(() => queue.TryDequeue(buffer, 100, out _));
                Assert.Equal(SharedMemoryError.ValueTooLarge, e.Error);
                Assert.Equal(200, queue.TryDequeue(buffer, 56, out PayloadKind text));
                Assert.Equal(PayloadKind.Utf8Text, text);
            }

            queue.Remove();
        }

        [Fact]
        public async System.Threading.Tasks.Task A_consumer_takes_messages_while_a_producer_holds_the_lock_and_wakes_a_producer_waiting_for_room()
        {
            using var producer = SharedMemorySegment.Open(new SegmentOptions(_name) { Size = 1024, Kind = SegmentKind.Queue });
            using var consumer = SharedMemorySegment.Open(new SegmentOptions(_name) { Mode = OpenMode.OpenExisting });
            var payload = new byte[100];
            int sent = 0;
            using (LockedSegment locked = producer.Lock())
            {
                while (locked.TryEnqueue(PayloadKind.Bytes, payload)) sent++;

                // The lock is held (and would time out at once): taking does not need it.
                consumer.LockTimeout = TimeSpan.Zero;
                Assert.Equal(PayloadKind.Bytes, consumer.TryDequeue()!.Kind);
                Assert.Equal(sent - 1, consumer.MessageCount);
                Assert.Throws<SharedMemoryException>(() => consumer.Lock().Dispose());
            }

            // A producer waiting for room is woken by a take, which takes no lock and bumps the counter itself.
            while (producer.WaitUntil(locked => locked.TryEnqueue(PayloadKind.Bytes, payload) ? producer : null, TimeSpan.Zero) is not null) sent++;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var take = System.Threading.Tasks.Task.Run(() =>
            {
                System.Threading.Thread.Sleep(200);
                return consumer.TryDequeue();
            });
            Assert.NotNull(producer.WaitUntil(locked => locked.TryEnqueue(PayloadKind.Bytes, payload) ? producer : null, TimeSpan.FromSeconds(10)));
            Assert.InRange(clock.Elapsed.TotalSeconds, 0.15, 5);
            Assert.NotNull(await take);
            int taken = 2;
            while (consumer.TryDequeue() is not null) taken++;
            Assert.Equal(sent + 1, taken);
            Assert.Equal(0, consumer.MessageCount);
            producer.Remove();
        }

        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        public void A_producer_waiting_for_room_sees_a_take_that_lands_between_its_look_and_its_sleep(int landsInAttempt)
        {
            using var producer = SharedMemorySegment.Open(new SegmentOptions(_name) { Size = 1024, Kind = SegmentKind.Queue });
            using var consumer = SharedMemorySegment.Open(new SegmentOptions(_name) { Mode = OpenMode.OpenExisting });
            var payload = new byte[100];
            using (LockedSegment locked = producer.Lock())
            {
                while (locked.TryEnqueue(PayloadKind.Bytes, payload)) { }
            }

            // The take lands inside the producer's hold, right after an attempt found no room: the worst moment.
            // The first attempt is made before the producer counts itself as waiting for room, the second after.
            bool taken = false;
            int attempts = 0;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            object? enqueued = producer.WaitUntil(
                locked =>
                {
                    if (locked.TryEnqueue(PayloadKind.Bytes, payload)) return producer;
                    if (++attempts == landsInAttempt) taken = consumer.TryDequeue() is not null;
                    return null;
                },
                TimeSpan.FromSeconds(3));
            Assert.True(taken);
            Assert.NotNull(enqueued);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"the producer slept {clock.Elapsed.TotalSeconds:F1} s through the take");
            producer.Remove();
        }

        [Fact]
        public void Kinds_a_reader_would_call_corrupt_are_refused_by_the_writer_and_change_nothing()
        {
            using var value = SharedMemorySegment.Open(new SegmentOptions(_name) { Size = 256 });
            using var queue = SharedMemorySegment.Open(new SegmentOptions(_name + "2") { Size = 256, Kind = SegmentKind.Queue });
            using (LockedSegment locked = value.Lock())
            {
                locked.WriteValue(PayloadKind.Utf8Text, new byte[] { 0x61 });
                foreach (PayloadKind bad in new[] { PayloadKind.None, PayloadKind.EndOfStream, (PayloadKind)77 })
                {
                    Assert.Throws<ArgumentOutOfRangeException>(() => locked.WriteValue(bad, new byte[] { 1 }));
                }

                Assert.Equal(PayloadKind.Utf8Text, locked.ReadValue()!.Kind);
            }

            using (LockedSegment locked = queue.Lock())
            {
                Assert.Throws<ArgumentOutOfRangeException>(() => locked.TryEnqueue(PayloadKind.None, new byte[] { 1 }));
                Assert.Throws<ArgumentOutOfRangeException>(() => locked.TryEnqueue((PayloadKind)77, new byte[] { 1 }));
                Assert.True(locked.TryEnqueue(PayloadKind.EndOfStream, Array.Empty<byte>()));
                Assert.Equal(PayloadKind.EndOfStream, queue.TryDequeue()!.Kind);
                Assert.Null(queue.TryDequeue());
            }

            value.Remove();
            queue.Remove();
        }

        [Fact]
        public void A_prepared_message_arrives_whole_even_in_a_queue_with_another_checksum()
        {
            using var crc = SharedMemorySegment.Open(new SegmentOptions(_name) { Size = 4096, Kind = SegmentKind.Queue, Checksum = ChecksumAlgorithm.Crc32 });
            using var lanes = SharedMemorySegment.Open(new SegmentOptions(_name + "2") { Size = 4096, Kind = SegmentKind.Queue });
            QueueMessage prepared = crc.PrepareMessage(PayloadKind.Utf8Text, System.Text.Encoding.UTF8.GetBytes("prepared"));
            Assert.Throws<ArgumentOutOfRangeException>(() => crc.PrepareMessage(PayloadKind.None, new byte[1]));
            foreach (SharedMemorySegment queue in new[] { crc, lanes })
            {
                using LockedSegment locked = queue.Lock();
                Assert.True(locked.TryEnqueue(prepared));
                StoredValue message = queue.TryDequeue()!;
                Assert.Equal(PayloadKind.Utf8Text, message.Kind);
                Assert.Equal("prepared", System.Text.Encoding.UTF8.GetString(message.Payload));
            }

            crc.Remove();
            lanes.Remove();
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
