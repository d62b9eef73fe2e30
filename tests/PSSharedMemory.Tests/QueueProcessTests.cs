using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using PSSharedMemory.Tests.Infrastructure;
using PSSharedMemory.TestWorker;
using Xunit;
using Xunit.Abstractions;

namespace PSSharedMemory.Tests
{
    /// <summary>Queues and waits between real processes: PowerShell hosts, and workers on the core.</summary>
    public sealed class QueueProcessTests : WorkerTest
    {

        public QueueProcessTests(ITestOutputHelper output)
            : base(output, "qp")
        {
        }

        [Fact]
        public void A_hundred_thousand_messages_go_from_one_PowerShell_process_to_another_complete_and_in_order()
        {
            const int Count = 100_000;
            using var queue = SharedMemorySegment.Open(new SegmentOptions(SegmentName) { Size = 4 * 1024 * 1024, Kind = SegmentKind.Queue });
            var clock = Stopwatch.StartNew();
            using var consumer = ChildProcess.Host($"$n = 0; $bad = 0; Read-SharedMemory -Name {SegmentName} -Wait | ForEach-Object {{ $n++; if ($_ -ne \"line $n\") {{ $bad++ }} }}; \"$n $bad\"");
            using var producer = ChildProcess.Host($"1..{Count} | ForEach-Object {{ \"line $_\" }} | Write-SharedMemory -Name {SegmentName}");
            producer.WaitForExit(ChildProcess.DefaultTimeout);
            consumer.WaitForExit(ChildProcess.DefaultTimeout);
            Assert.True(producer.ExitCode == 0, producer.Stderr);
            Assert.True(consumer.ExitCode == 0, consumer.Stderr);
            Output.WriteLine($"{Count} messages from one PowerShell process to another in {clock.Elapsed.TotalSeconds:F1} s ({Count / clock.Elapsed.TotalSeconds:F0} messages/s, engine start included)");
            Assert.Equal($"{Count} 0", consumer.OutputLines.Last());
        }

        [Theory]
        [InlineData("one message at a time")]
        [InlineData("batches")]
        public void Four_producers_and_four_consumers_deliver_every_message_exactly_once_in_each_producers_order(string how)
        {
            const int Producers = 4, Consumers = 4, PerProducer = 25_000;
            string suffix = how == "batches" ? "-batches" : string.Empty;
            using var queue = SharedMemorySegment.Open(new SegmentOptions(SegmentName) { Size = 256 * 1024, Kind = SegmentKind.Queue });
            var clock = Stopwatch.StartNew();
            var consumers = Enumerable.Range(0, Consumers).Select(_ => StartWorker("consume" + suffix, SegmentName)).ToList();
            var producers = Enumerable.Range(1, Producers).Select(id => StartWorker("produce" + suffix, SegmentName, id.ToString(CultureInfo.InvariantCulture), PerProducer.ToString(CultureInfo.InvariantCulture))).ToList();
            foreach (var p in producers) p.WaitForExit(ChildProcess.DefaultTimeout);
            foreach (var c in consumers) c.WaitForExit(ChildProcess.DefaultTimeout);
            clock.Stop();

            var seen = new HashSet<(int, long)>();
            int duplicates = 0, torn = 0, outOfOrder = 0;
            foreach (ChildProcess consumer in consumers)
            {
                Assert.True(consumer.ExitCode == 0, consumer.Stderr);
                var last = new Dictionary<int, long>();
                foreach ((int writer, long sequence) in Received(consumer, ref torn))
                {
                    if (!seen.Add((writer, sequence))) duplicates++;
                    if (last.TryGetValue(writer, out long previous) && sequence <= previous) outOfOrder++;
                    last[writer] = sequence;
                }
            }

            foreach (var p in producers) Assert.True(p.ExitCode == 0, p.Stderr);
            Output.WriteLine($"{how}: producers: {Producers}, consumers: {Consumers}, messages: {Producers * PerProducer}, delivered: {seen.Count}, duplicates: {duplicates}, torn: {torn}, out of order: {outOfOrder}, per consumer: {string.Join(", ", consumers.Select(c => c.OutputLines.Length))}, {clock.Elapsed.TotalSeconds:F1} s ({Producers * PerProducer / clock.Elapsed.TotalSeconds:F0} messages/s)");
            Assert.Equal(Producers * PerProducer, seen.Count);
            Assert.Equal(0, duplicates);
            Assert.Equal(0, torn);
            Assert.Equal(0, outOfOrder);
            consumers.ForEach(c => c.Dispose());
            producers.ForEach(p => p.Dispose());
        }

        [Theory]
        [InlineData("produce")]
        [InlineData("produce-batches")]
        public void A_producer_killed_mid_stream_leaves_a_consistent_queue(string worker)
        {
            int kills = 0, abandoned = 0, delivered = 0;
            using var queue = SharedMemorySegment.Open(new SegmentOptions(SegmentName) { Size = 64 * 1024, Kind = SegmentKind.Queue });
            var random = new Random(99);
            for (int round = 1; round <= 30; round++)
            {
                using (var producer = StartWorker(worker, SegmentName, round.ToString(CultureInfo.InvariantCulture), "1000000", "pauses"))
                {
                    producer.WaitForOutput("producing");
                    System.Threading.Thread.Sleep(random.Next(5, 40));
                    producer.Kill();
                    kills++;
                }

                // Drain: every message whole, and the producer's sequence without a hole.
                long expected = 1;
                while (true)
                {
                    using LockedSegment locked = queue.Lock(TimeSpan.FromSeconds(10));
                    if (locked.WasAbandoned) abandoned++;
                    StoredValue? message = queue.TryDequeue();
                    if (message is null) break;
                    var check = CheckedPayload.Check(message.Payload);
                    Assert.True(check is not null, $"round {round}: a torn message");
                    Assert.Equal((round, expected), check!.Value);
                    expected++;
                    delivered++;
                }

                Assert.Equal(0L, queue.MessageCount);
            }

            Output.WriteLine($"{worker}: producers killed mid-stream: {kills}, kills inside the lock: {abandoned}, messages drained afterwards: {delivered}, torn: 0, holes: 0");
            Assert.True(abandoned > 0, "no kill landed inside the lock");
        }

        [Fact]
        public void A_consumer_following_long_messages_as_they_are_written_never_takes_one_whose_producer_was_killed_mid_message()
        {
            using var queue = SharedMemorySegment.Open(new SegmentOptions(SegmentName) { Size = 4 * 1024 * 1024, Kind = SegmentKind.Queue });
            using var consumer = StartWorker("consume", SegmentName);
            var random = new Random(7);
            int kills = 0, midMessage = 0;
            for (int round = 1; round <= 12; round++)
            {
                using (var producer = StartWorker("produce-large", SegmentName, round.ToString(CultureInfo.InvariantCulture), "1000000", "pauses"))
                {
                    producer.WaitForOutput("producing");
                    System.Threading.Thread.Sleep(random.Next(5, 40));
                    producer.Kill();
                    kills++;
                }

                // The header's "written" (48) past its tail (40): the producer died with a message half published.
                if (queue.Memory.ReadUInt64(48) > queue.Memory.ReadUInt64(40)) midMessage++;
            }

            using (LockedSegment locked = queue.Lock()) Assert.True(locked.TryEnqueue(PayloadKind.EndOfStream, Array.Empty<byte>()));
            consumer.WaitForExit(ChildProcess.DefaultTimeout);
            Assert.True(consumer.ExitCode == 0, consumer.Stderr);
            int torn = 0, holes = 0, received = 0;
            var last = new Dictionary<int, long>();
            foreach ((int writer, long sequence) in Received(consumer, ref torn))
            {
                if (sequence != (last.TryGetValue(writer, out long previous) ? previous : 0) + 1) holes++;
                last[writer] = sequence;
                received++;
            }

            Output.WriteLine($"producers of 256-700 KiB messages killed: {kills}, with a message half published: {midMessage}, messages received: {received}, torn: {torn}, holes or repeats: {holes}");
            Assert.Equal(0, torn);
            Assert.Equal(0, holes);
            Assert.True(midMessage > 0, "no kill landed inside a message");
            Assert.True(received >= kills);
        }

        /// <summary>The "writer sequence" lines a consume worker printed; its "torn" lines are counted in <paramref name="torn"/>.</summary>
        private static List<(int Writer, long Sequence)> Received(ChildProcess consumer, ref int torn)
        {
            var messages = new List<(int, long)>();
            foreach (string line in consumer.OutputLines)
            {
                if (line == "torn")
                {
                    torn++;
                    continue;
                }

                string[] parts = line.Split(' ');
                messages.Add((int.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture)));
            }

            return messages;
        }

        [Theory]
        [InlineData("consume")]
        [InlineData("consume-batches")]
        public void A_consumer_killed_mid_stream_neither_wedges_the_queue_nor_tears_a_message(string worker)
        {
            const int Count = 20_000;
            using var queue = SharedMemorySegment.Open(new SegmentOptions(SegmentName) { Size = 4 * 1024 * 1024, Kind = SegmentKind.Queue });
            var random = new Random(5);
            using (var locked = queue.Lock())
            {
                for (int i = 1; i <= Count; i++) Assert.True(locked.TryEnqueue(PayloadKind.Bytes, CheckedPayload.Create(1, i, 100, random)));
            }

            int kills = 0;
            long next = 1;
            for (int round = 0; round < 10 && next <= Count; round++)
            {
                using (var consumer = StartWorker(worker, SegmentName, "pauses"))
                {
                    var deadline = DateTime.UtcNow + ChildProcess.DefaultTimeout;
                    while (!consumer.Stderr.Contains("consuming", StringComparison.Ordinal) && DateTime.UtcNow < deadline) System.Threading.Thread.Sleep(5);
                    System.Threading.Thread.Sleep(random.Next(0, 5));
                    consumer.Kill();
                    kills++;
                }

                // What is left is exactly the tail of the stream: whole messages, consecutive, none lost twice.
                StoredValue? head = queue.TryDequeue();
                if (head is null) break;
                var check = CheckedPayload.Check(head.Payload);
                Assert.True(check is not null, "a torn message after a consumer was killed");
                Assert.True(check!.Value.Sequence >= next, $"message {check.Value.Sequence} came back after {next - 1} had been taken");
                next = check.Value.Sequence + 1;
            }

            long remaining = 0;
            while (queue.TryDequeue() is StoredValue message)
            {
                Assert.Equal((1, next + remaining), CheckedPayload.Check(message.Payload)!.Value);
                remaining++;
            }

            Output.WriteLine($"{worker}: consumers killed mid-stream: {kills} (a take holds no lock), messages left afterwards: {remaining}, all whole and consecutive");
            Assert.True(kills >= 3);
        }

        [Fact]
        public void A_waiting_reader_wakes_within_microseconds_and_uses_no_CPU_while_idle()
        {
            const int Pings = 300;
            using var segment = SharedMemorySegment.Open(new SegmentOptions(SegmentName) { Size = 64 });
            var latencies = new List<double>();
            using (var pinger = StartWorker("ping", SegmentName, Pings.ToString(CultureInfo.InvariantCulture)))
            {
                ulong seenVersion = 0;
                int missed = 0;
                while (seenVersion < Pings)
                {
                    uint observed;
                    StoredValue? value;
                    using (LockedSegment locked = segment.Lock())
                    {
                        value = segment.Version > seenVersion ? locked.ReadValue() : null;
                        observed = locked.ChangeCounter;
                    }

                    if (value is not null)
                    {
                        long now = Stopwatch.GetTimestamp();
                        // Only a value read right after its own write measures a wake-up; one overtaken by the next is skipped.
                        if (value.Version == seenVersion + 1) latencies.Add((now - BitConverter.ToInt64(value.Payload)) * 1e6 / Stopwatch.Frequency);
                        else missed++;
                        seenVersion = value.Version;
                        continue;
                    }

                    Assert.True(segment.WaitForChange(observed, TimeSpan.FromSeconds(30)), "no write arrived");
                }

                pinger.WaitForExit(ChildProcess.DefaultTimeout);
                Assert.True(missed < Pings / 10, $"{missed} of {Pings} writes were overtaken before the reader woke");
            }

            latencies.Sort();
            double P(double q) => latencies[Math.Min(latencies.Count - 1, (int)(q * latencies.Count))];
            using var idle = StartWorker("idle-wait", SegmentName, "3");
            idle.WaitForExit(ChildProcess.DefaultTimeout);
            double cpuMilliseconds = double.Parse(idle.OutputLines.Last(), CultureInfo.InvariantCulture);
            Output.WriteLine($"wake-up from a write in another process: p50 {P(0.5):F1} µs, p99 {P(0.99):F1} µs, p99.9 {P(0.999):F1} µs over {Pings} writes; an idle waiter used {cpuMilliseconds:F1} ms of CPU in 3 s ({cpuMilliseconds / 30:F2} % of a core)");
            Assert.True(P(0.99) < 50_000, $"p99 wake-up {P(0.99):F0} µs");
            Assert.True(cpuMilliseconds < 30, $"an idle waiter used {cpuMilliseconds} ms of CPU in 3 s");
        }
    }
}
