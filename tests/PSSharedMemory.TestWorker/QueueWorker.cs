using System;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Threading;

namespace PSSharedMemory.TestWorker
{
    /// <summary>Producers, consumers and a latency probe on a queue or value segment, on the core.</summary>
    internal static class QueueWorker
    {
        private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

        /// <summary>Enqueues COUNT checked messages (writer ID, sequence 1..COUNT), then an end-of-stream mark.</summary>
        public static int Produce(string name, int id, int count, bool pauses, int minLength, int maxLength)
        {
            var random = new Random(id);
            using var queue = SharedMemorySegment.Open(new SegmentOptions(name) { Mode = OpenMode.OpenExisting });
            if (pauses) FaultInjection.Pause = _ => Thread.SpinWait(random.Next(0, 20000));
            for (int sequence = 1; sequence <= count; sequence++)
            {
                Enqueue(queue, PayloadKind.Bytes, CheckedPayload.Create(id, sequence, random.Next(minLength, maxLength), random));
                if (sequence == 1)
                {
                    Console.Out.WriteLine("producing");
                    Console.Out.Flush();
                }
            }

            Enqueue(queue, PayloadKind.EndOfStream, Array.Empty<byte>());
            return 0;
        }

        /// <summary>Dequeues until it takes an end-of-stream mark; prints "writer sequence" per message, "torn" for a bad one.</summary>
        public static int Consume(string name, bool pauses)
        {
            using var queue = SharedMemorySegment.Open(new SegmentOptions(name) { Mode = OpenMode.OpenExisting });
            var random = new Random(Environment.ProcessId);
            // Longer pauses than Produce's: a batch spends most of its time being filled outside the lock.
            if (pauses) FaultInjection.Pause = _ => Thread.SpinWait(random.Next(0, 200_000));
            bool announced = false;
            var output = new StringBuilder();
            while (true)
            {
                StoredValue message = Dequeue(queue);
                if (message.Kind == PayloadKind.EndOfStream) break;
                if (!announced)
                {
                    Console.Error.WriteLine("consuming");
                    announced = true;
                }

                var check = CheckedPayload.Check(message.Payload);
                output.AppendLine(check is null ? "torn" : string.Format(CultureInfo.InvariantCulture, "{0} {1}", check.Value.Writer, check.Value.Sequence));
            }

            Console.Out.Write(output.ToString());
            return 0;
        }

        /// <summary>As <see cref="Produce"/>, with the messages sent in batches of random sizes (MessageBatch).</summary>
        public static int ProduceBatches(string name, int id, int count, bool pauses)
        {
            var random = new Random(id);
            using var queue = SharedMemorySegment.Open(new SegmentOptions(name) { Mode = OpenMode.OpenExisting });
            // Longer pauses than Produce's: a batch spends most of its time being filled outside the lock.
            if (pauses) FaultInjection.Pause = _ => Thread.SpinWait(random.Next(0, 200_000));
            bool announced = false;
            MessageBatch batch = queue.CreateBatch(8192);
            int sequence = 1;
            while (sequence <= count)
            {
                batch.Clear();
                int wanted = random.Next(1, 64);
                while (sequence <= count && batch.Count < wanted)
                {
                    byte[] payload = CheckedPayload.Create(id, sequence, random.Next(24, 200), random);
                    if (!batch.TryAdd(PayloadKind.Bytes, payload, 0, payload.Length)) break;
                    sequence++;
                }

                if (queue.EnqueueAll(batch, Patience) < batch.Count) throw new TimeoutException("the queue stayed full");
                if (!announced)
                {
                    Console.Out.WriteLine("producing");
                    Console.Out.Flush();
                    announced = true;
                }
            }

            Enqueue(queue, PayloadKind.EndOfStream, Array.Empty<byte>());
            return 0;
        }

        /// <summary>
        /// As <see cref="Consume"/>, taking runs of messages into a MessageBuffer. Every message of a run is
        /// handled; a run with end-of-stream marks ends this consumer, and the marks beyond its one go back.
        /// </summary>
        public static int ConsumeBatches(string name, bool pauses)
        {
            using var queue = SharedMemorySegment.Open(new SegmentOptions(name) { Mode = OpenMode.OpenExisting });
            var random = new Random(Environment.ProcessId);
            if (pauses) FaultInjection.Pause = _ => Thread.SpinWait(random.Next(0, 20000));
            var buffer = new MessageBuffer(4096);
            var output = new StringBuilder();
            int ends = 0;
            while (ends == 0)
            {
                if (queue.WaitFor(taking => taking.TryDequeue(buffer) > 0 ? taking : null, Patience) is null) throw new TimeoutException("no message arrived");
                if (output.Length == 0) Console.Error.WriteLine("consuming");
                for (int i = 0; i < buffer.Count; i++)
                {
                    PayloadKind kind;
                    int offset, length;
                    try
                    {
                        kind = buffer.GetMessage(i, out offset, out length);
                    }
                    catch (SharedMemoryException e) when (e.Error == SharedMemoryError.Corrupted)
                    {
                        output.AppendLine("torn");
                        continue;
                    }

                    if (kind == PayloadKind.EndOfStream)
                    {
                        ends++;
                        continue;
                    }

                    var check = CheckedPayload.Check(buffer.Buffer.AsSpan(offset, length).ToArray());
                    output.AppendLine(check is null ? "torn" : string.Format(CultureInfo.InvariantCulture, "{0} {1}", check.Value.Writer, check.Value.Sequence));
                }
            }

            for (int extra = 1; extra < ends; extra++) Enqueue(queue, PayloadKind.EndOfStream, Array.Empty<byte>());
            Console.Out.Write(output.ToString());
            return 0;
        }

        /// <summary>Writes COUNT values, each holding the moment it was written, a few milliseconds apart.</summary>
        public static int Ping(string name, int count)
        {
            using var segment = SharedMemorySegment.Open(new SegmentOptions(name) { Mode = OpenMode.OpenExisting });
            for (int i = 0; i < count; i++)
            {
                Thread.Sleep(3);
                using LockedSegment locked = segment.Lock();
                locked.WriteValue(PayloadKind.Bytes, BitConverter.GetBytes(Stopwatch.GetTimestamp()));
            }

            return 0;
        }

        /// <summary>Waits on a segment that nobody changes for SECONDS; prints the CPU time it used.</summary>
        public static int IdleWait(string name, double seconds)
        {
            using var segment = SharedMemorySegment.Open(new SegmentOptions(name) { Mode = OpenMode.OpenExisting });
            uint observed;
            using (LockedSegment locked = segment.Lock()) observed = locked.ChangeCounter;
            TimeSpan before = Process.GetCurrentProcess().TotalProcessorTime;
            segment.WaitForChange(observed, TimeSpan.FromSeconds(seconds));
            TimeSpan used = Process.GetCurrentProcess().TotalProcessorTime - before;
            Console.Out.WriteLine(used.TotalMilliseconds.ToString("F1", CultureInfo.InvariantCulture));
            return 0;
        }

        private static void Enqueue(SharedMemorySegment queue, PayloadKind kind, byte[] payload)
        {
            if (queue.WaitUntil(locked => locked.TryEnqueue(kind, payload) ? queue : null, Patience) is null) throw new TimeoutException("the queue stayed full");
        }

        private static StoredValue Dequeue(SharedMemorySegment queue) =>
            queue.WaitFor(taking => taking.TryDequeue(), Patience) ?? throw new TimeoutException("no message arrived");
    }
}
