using System;
using System.Collections.Generic;
using System.IO;
using PSSharedMemory.Tests.Infrastructure;
using Xunit;

namespace PSSharedMemory.Tests
{
    /// <summary>Batches copied into the ring and runs of records taken out of it, against a model queue.</summary>
    public sealed class MessageBatchTests : IDisposable
    {
        private readonly string _name = Names.Unique("batch");

        public void Dispose()
        {
            Names.DeleteSegment(_name);
        }

        [Theory]
        [InlineData(ChecksumAlgorithm.LaneSum)]
        [InlineData(ChecksumAlgorithm.Crc32)]
        public void Batches_and_single_messages_mixed_arrive_whole_and_in_order_across_many_wraps(ChecksumAlgorithm algorithm)
        {
            using var queue = SharedMemorySegment.Open(new SegmentOptions(_name) { Size = 4096, Kind = SegmentKind.Queue, Checksum = algorithm });
            var random = new Random(23);
            var model = new Queue<(PayloadKind Kind, byte[] Payload)>();
            MessageBatch batch = queue.CreateBatch(1500);
            var buffers = new[] { new MessageBuffer(16), new MessageBuffer(200), new MessageBuffer(1000), new MessageBuffer(5000) };
            var single = new byte[4096];
            long sent = 0, received = 0;
            for (int step = 0; step < 20_000; step++)
            {
                using LockedSegment locked = queue.Lock();
                switch (random.Next(4))
                {
                    case 0:
                        batch.Clear();
                        var added = new List<(PayloadKind, byte[])>();
                        while (true)
                        {
                            var payload = Payload(random);
                            PayloadKind kind = random.Next(5) == 0 ? PayloadKind.Utf8Text : PayloadKind.Bytes;
                            if (!batch.TryAdd(kind, payload, 0, payload.Length)) break;
                            added.Add((kind, payload));
                        }

                        int first = random.Next(Math.Min(3, batch.Count + 1));
                        int enqueued = locked.TryEnqueue(batch, first);
                        for (int i = first; i < first + enqueued; i++) model.Enqueue(added[i]);
                        sent += enqueued;
                        break;
                    case 1:
                        var one = Payload(random);
                        if (locked.TryEnqueue(PayloadKind.Bytes, one))
                        {
                            model.Enqueue((PayloadKind.Bytes, one));
                            sent++;
                        }

                        break;
                    case 2:
                        MessageBuffer buffer = buffers[random.Next(buffers.Length)];
                        int taken;
                        try
                        {
                            taken = queue.TryDequeue(buffer);
                        }
                        catch (SharedMemoryException e) when (e.Error == SharedMemoryError.ValueTooLarge)
                        {
                            Assert.True(model.Peek().Payload.Length + 16 > 16 && buffer.Buffer.Length < QueueRing.RecordSize(model.Peek().Payload.Length));
                            break;
                        }

                        Assert.Equal(taken, buffer.Count);
                        for (int i = 0; i < taken; i++)
                        {
                            var expected = model.Dequeue();
                            PayloadKind kind = buffer.GetMessage(i, out int offset, out int length);
                            Assert.Equal(expected.Kind, kind);
                            Assert.True(expected.Payload.AsSpan().SequenceEqual(buffer.Buffer.AsSpan(offset, length)), $"message {received} differs");
                            received++;
                        }

                        if (taken == 0) Assert.Empty(model);
                        break;
                    default:
                        int got = queue.TryDequeue(single, 0, out PayloadKind singleKind);
                        if (got < 0)
                        {
                            Assert.Empty(model);
                            break;
                        }

                        var want = model.Dequeue();
                        Assert.Equal(want.Kind, singleKind);
                        Assert.True(want.Payload.AsSpan().SequenceEqual(single.AsSpan(0, got)));
                        received++;
                        break;
                }

                Assert.Equal(model.Count, queue.MessageCount);
            }

            Assert.True(sent > 10_000 && received > 10_000, $"sent {sent}, received {received}");
        }

        [Theory]
        [InlineData(ChecksumAlgorithm.LaneSum)]
        [InlineData(ChecksumAlgorithm.Crc32)]
        public async System.Threading.Tasks.Task Long_and_short_messages_taken_by_a_consumer_running_beside_the_producer_arrive_whole_and_in_order(ChecksumAlgorithm algorithm)
        {
            // Two handles, as two processes would have: a take never waits for the producer's lock, and one
            // finding the queue empty follows a long message (256 KiB or more) as its producer writes it.
            using var producer = SharedMemorySegment.Open(new SegmentOptions(_name) { Size = 2 * 1024 * 1024, Kind = SegmentKind.Queue, Checksum = algorithm });
            using var consumer = SharedMemorySegment.Open(new SegmentOptions(_name) { Mode = OpenMode.OpenExisting });
            var random = new Random(41);
            var sent = new List<byte[]>();
            for (int i = 0; i < 300; i++)
            {
                var payload = new byte[random.Next(3) == 0 ? random.Next(0, 300) : random.Next(256 * 1024 - 20, 900 * 1024)];
                random.NextBytes(payload);
                sent.Add(payload);
            }

            var producing = System.Threading.Tasks.Task.Run(() =>
            {
                foreach (byte[] payload in sent)
                {
                    if (producer.WaitUntil(locked => locked.TryEnqueue(PayloadKind.Bytes, payload) ? producer : null, TimeSpan.FromSeconds(30)) is null) throw new TimeoutException("the queue stayed full");
                }
            });
            var buffer = new byte[1024 * 1024];
            for (int i = 0; i < sent.Count; i++)
            {
                byte[] received;
                if (i % 2 == 0)
                {
                    received = consumer.WaitFor(taking => taking.TryDequeue(), TimeSpan.FromSeconds(30))?.Payload ?? throw new TimeoutException($"message {i} did not arrive");
                }
                else
                {
                    int length = -1;
                    Assert.NotNull(consumer.WaitFor(taking => (length = taking.TryDequeue(buffer, 0, out _)) >= 0 ? taking : null, TimeSpan.FromSeconds(30)));
                    received = buffer.AsSpan(0, length).ToArray();
                }

                Assert.True(sent[i].AsSpan().SequenceEqual(received), $"message {i} of {sent[i].Length} bytes differs");
            }

            await producing;
            Assert.Equal(0, consumer.MessageCount);
        }

        [Fact]
        public void A_batch_round_trip_allocates_nothing_per_message()
        {
            using var queue = SharedMemorySegment.Open(new SegmentOptions(_name) { Size = 1 << 20, Kind = SegmentKind.Queue });
            MessageBatch batch = queue.CreateBatch(64 * 1024);
            var buffer = new MessageBuffer(64 * 1024);
            var payload = new byte[100];
            long checksum = 0, moved = 0;
            long before = 0;
            for (int round = -1; round < 100; round++)
            {
                // Round -1 warms up: first calls compile code and make the module's statics.
                if (round == 0) before = GC.GetAllocatedBytesForCurrentThread();
                batch.Clear();
                while (batch.TryAdd(PayloadKind.Bytes, payload, 0, payload.Length)) payload[0]++;
                // No asserts in the loop: xUnit's allocate.
                using (LockedSegment locked = queue.Lock()) moved += locked.TryEnqueue(batch);
                moved -= queue.TryDequeue(buffer);
                for (int i = 0; i < buffer.Count; i++)
                {
                    buffer.GetMessage(i, out int offset, out _);
                    checksum += buffer.Buffer[offset];
                }
            }

            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(checksum > 0);
            Assert.Equal(0, moved);
            Assert.True(allocated < 200 * 200, $"{allocated} bytes allocated for {100 * batch.Count} messages");
        }

        [Theory]
        [InlineData(ChecksumAlgorithm.LaneSum)]
        [InlineData(ChecksumAlgorithm.Crc32)]
        public void A_damaged_message_among_others_checked_four_at_a_time_fails_alone_in_whatever_order_they_are_read(ChecksumAlgorithm algorithm)
        {
            using var queue = SharedMemorySegment.Open(new SegmentOptions(_name) { Size = 1 << 16, Kind = SegmentKind.Queue, Checksum = algorithm });
            MessageBatch batch = queue.CreateBatch(8192);
            var payloads = new List<byte[]>();
            var random = new Random(31);
            for (int i = 0; i < 11; i++)
            {
                var payload = new byte[i == 2 ? 0 : random.Next(1, 200)];
                random.NextBytes(payload);
                payloads.Add(payload);
                Assert.True(batch.TryAdd(PayloadKind.Bytes, payload, 0, payload.Length));
            }

            // Message 5 (the second of the second four) changes after its checksum was taken.
            byte[] records = batch.RecordsWithChecksums();
            int fifth = 0;
            for (int i = 0; i < 5; i++) fifth += MessageBatch.RecordLength(payloads[i].Length);
            records[fifth + QueueRing.RecordHeader] ^= 0x5A;
            using (LockedSegment locked = queue.Lock()) Assert.Equal(11, locked.TryEnqueue(batch));

            var buffer = new MessageBuffer(8192);
            Assert.Equal(11, queue.TryDequeue(buffer));
            foreach (int i in new[] { 10, 4, 6, 0, 5, 7, 3, 9, 1, 8, 2 })
            {
                if (i == 5)
                {
                    var e = Assert.Throws<SharedMemoryException>(() => buffer.GetMessage(i, out _, out _));
                    Assert.Equal(SharedMemoryError.Corrupted, e.Error);
                    continue;
                }

                Assert.Equal(PayloadKind.Bytes, buffer.GetMessage(i, out int offset, out int length));
                Assert.True(buffer.Buffer.AsSpan(offset, length).SequenceEqual(payloads[i]), $"message {i} differs");
            }
        }

        [Fact]
        public void A_message_larger_than_the_buffer_stays_and_damage_is_reported_after_the_whole_records_before_it()
        {
            using var queue = SharedMemorySegment.Open(new SegmentOptions(_name) { Size = 4096, Kind = SegmentKind.Queue });
            MessageBatch batch = queue.CreateBatch(1024);
            Assert.True(batch.TryAdd(PayloadKind.Bytes, new byte[300], 0, 300));
            using (LockedSegment locked = queue.Lock()) Assert.Equal(1, locked.TryEnqueue(batch));
            var tooLarge = Assert.Throws<SharedMemoryException>(() => queue.TryDequeue(new MessageBuffer(200)));
            Assert.Equal(SharedMemoryError.ValueTooLarge, tooLarge.Error);
            Assert.Equal(1, queue.MessageCount);
            Assert.Equal(1, queue.TryDequeue(new MessageBuffer(400)));

            // Two good records, then one whose kind another process damaged.
            batch.Clear();
            for (int i = 0; i < 3; i++) Assert.True(batch.TryAdd(PayloadKind.Bytes, new byte[] { (byte)i }, 0, 1));
            using (LockedSegment locked = queue.Lock()) Assert.Equal(3, locked.TryEnqueue(batch));
            long third = SegmentHeader.Size + 320 + (2 * 24) + 4;
            using (var file = new FileStream(Names.ShmPath(_name), FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite))
            {
                file.Position = third;
                file.WriteByte(77);
            }

            var buffer = new MessageBuffer(1024);
            Assert.Equal(2, queue.TryDequeue(buffer));
            var damaged = Assert.Throws<SharedMemoryException>(() => queue.TryDequeue(buffer));
            Assert.Equal(SharedMemoryError.Corrupted, damaged.Error);

            // A payload damaged after its checksum was taken is reported when it is read from the buffer.
            batch.Clear();
            Assert.True(batch.TryAdd(PayloadKind.Bytes, new byte[] { 1, 2, 3 }, 0, 3));
            batch.RecordsWithChecksums()[QueueRing.RecordHeader] ^= 0xFF;
            using (var fresh = SharedMemorySegment.Open(new SegmentOptions(_name + "2") { Size = 4096, Kind = SegmentKind.Queue }))
            {
                using (LockedSegment locked = fresh.Lock()) Assert.Equal(1, locked.TryEnqueue(batch));
                Assert.Equal(1, fresh.TryDequeue(buffer));
                var e = Assert.Throws<SharedMemoryException>(() => buffer.GetMessage(0, out _, out _));
                Assert.Equal(SharedMemoryError.Corrupted, e.Error);
                fresh.Remove();
            }
        }

        [Fact]
        public void A_long_message_damaged_in_the_ring_is_reported_and_stays_until_it_reads_whole()
        {
            // 300 KiB and 37 bytes: summed as it is copied out in whole strides, then a last partial stride that the
            // caller's larger buffer lets the sum read whole, masked. A byte changed in either part must be caught.
            var payload = new byte[(300 * 1024) + 37];
            new Random(5).NextBytes(payload);
            var buffer = new byte[payload.Length + 100];
            foreach (int damaged in new[] { 200_000, payload.Length - 3 })
            {
                using var queue = SharedMemorySegment.Open(new SegmentOptions(_name) { Size = 1 << 20, Kind = SegmentKind.Queue, Mode = OpenMode.CreateNew });
                try
                {
                    using (LockedSegment locked = queue.Lock()) Assert.True(locked.TryEnqueue(PayloadKind.Bytes, payload));
                    // The first record of a new queue starts where the ring does, right after the header.
                    long at = SegmentHeader.Size + QueueRing.RecordHeader + damaged;
                    FlipByte(at);
                    var e = Assert.Throws<SharedMemoryException>(() => queue.TryDequeue(buffer, 0, out _));
                    Assert.Equal(SharedMemoryError.Corrupted, e.Error);
                    Assert.Equal(1, queue.MessageCount);

                    FlipByte(at);
                    Assert.Equal(payload.Length, queue.TryDequeue(buffer, 0, out PayloadKind kind));
                    Assert.Equal(PayloadKind.Bytes, kind);
                    Assert.True(payload.AsSpan().SequenceEqual(buffer.AsSpan(0, payload.Length)));
                }
                finally
                {
                    queue.Remove();
                }
            }
        }

        private void FlipByte(long position)
        {
            using var file = new FileStream(Names.ShmPath(_name), FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
            file.Position = position;
            int value = file.ReadByte();
            file.Position = position;
            file.WriteByte((byte)(value ^ 0x5A));
        }

        [Fact]
        public async System.Threading.Tasks.Task EnqueueAll_waits_for_room_and_says_how_many_went_in_when_the_time_is_up()
        {
            using var queue = SharedMemorySegment.Open(new SegmentOptions(_name) { Size = 1024, Kind = SegmentKind.Queue });
            MessageBatch batch = queue.CreateBatch(4096);
            for (int i = 0; i < 30; i++) Assert.True(batch.TryAdd(PayloadKind.Bytes, new byte[] { (byte)i }, 0, 1));

            // 24 bytes a record, 1024 in the ring: 42 fit, so all 30 go in at once; the next 30 only in part.
            Assert.Equal(30, queue.EnqueueAll(batch, TimeSpan.FromSeconds(5)));
            var clock = System.Diagnostics.Stopwatch.StartNew();
            Assert.Equal(12, queue.EnqueueAll(batch, TimeSpan.FromMilliseconds(200)));
            Assert.InRange(clock.Elapsed.TotalSeconds, 0.15, 5);

            // A consumer making room lets a waiting EnqueueAll finish.
            var drain = System.Threading.Tasks.Task.Run(() =>
            {
                System.Threading.Thread.Sleep(100);
                return queue.TryDequeue(new MessageBuffer(4096));
            });
            Assert.Equal(30, queue.EnqueueAll(batch, TimeSpan.FromSeconds(10)));
            Assert.Equal(42, await drain);
            Assert.Equal(30, queue.MessageCount);
        }

        private static byte[] Payload(Random random)
        {
            var payload = new byte[random.Next(10) == 0 ? random.Next(300, 900) : random.Next(0, 120)];
            random.NextBytes(payload);
            return payload;
        }
    }
}
