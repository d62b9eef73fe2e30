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
        public static int Produce(string name, int id, int count, bool pauses)
        {
            var random = new Random(id);
            using var queue = SharedMemorySegment.Open(new SegmentOptions(name) { Mode = OpenMode.OpenExisting });
            if (pauses) FaultInjection.Pause = _ => Thread.SpinWait(random.Next(0, 20000));
            for (int sequence = 1; sequence <= count; sequence++)
            {
                Enqueue(queue, PayloadKind.Bytes, CheckedPayload.Create(id, sequence, random.Next(24, 200), random));
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
            if (pauses) FaultInjection.Pause = _ => Thread.SpinWait(random.Next(0, 20000));
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
            queue.WaitUntil(locked => locked.TryDequeue(), Patience) ?? throw new TimeoutException("no message arrived");
    }
}
