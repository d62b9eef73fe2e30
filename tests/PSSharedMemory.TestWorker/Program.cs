using System;
using System.Diagnostics;
using System.Globalization;
using System.Threading;

namespace PSSharedMemory.TestWorker
{
    /// <summary>
    /// Usage:
    ///   crash-writer NAME SEED          write checked values forever, pausing at random between the steps of
    ///                                   each write (the core's fault injection), until killed
    ///   stress NAME SECONDS ID SEED     a random mix of operations on NAME (values), NAME_raw (raw slots) and
    ///                                   NAME_count (read-modify-write counter); prints one line of counts
    ///   probe NAME [allow]              as another user: try to read, lock, open and unlink NAME
    ///   plant NAME                      as another user: create NAME and its lock, open to everyone
    ///   produce NAME ID COUNT [pauses]  enqueue COUNT checked messages and an end-of-stream mark
    ///   consume NAME [pauses]           dequeue until an end-of-stream mark; print "writer sequence" lines
    ///   produce-batches NAME ID COUNT [pauses]  as produce, in batches of random sizes
    ///   produce-large NAME ID COUNT [pauses]    as produce, with messages of 256-700 KiB, which are
    ///                                   published piece by piece as they are written
    ///   consume-batches NAME [pauses]   as consume, taking runs of messages into a buffer
    ///   ping NAME COUNT                 write COUNT values holding their write time, 3 ms apart
    ///   idle-wait NAME SECONDS          wait on an unchanging segment; print the CPU milliseconds used
    /// </summary>
    internal static class Program
    {
        private static int Main(string[] args)
        {
            if (args.Length >= 3 && args[0] == "crash-writer") return CrashWriter(args[1], int.Parse(args[2], CultureInfo.InvariantCulture));
            if (args.Length >= 4 && args[0] == "produce") return QueueWorker.Produce(args[1], Int(args[2]), Int(args[3]), pauses: args.Length > 4 && args[4] == "pauses", 24, 200);
            if (args.Length >= 4 && args[0] == "produce-large") return QueueWorker.Produce(args[1], Int(args[2]), Int(args[3]), pauses: args.Length > 4 && args[4] == "pauses", 256 * 1024, 700 * 1024);
            if (args.Length >= 2 && args[0] == "consume") return QueueWorker.Consume(args[1], pauses: args.Length > 2 && args[2] == "pauses");
            if (args.Length >= 4 && args[0] == "produce-batches") return QueueWorker.ProduceBatches(args[1], Int(args[2]), Int(args[3]), pauses: args.Length > 4 && args[4] == "pauses");
            if (args.Length >= 2 && args[0] == "consume-batches") return QueueWorker.ConsumeBatches(args[1], pauses: args.Length > 2 && args[2] == "pauses");
            if (args.Length >= 3 && args[0] == "ping") return QueueWorker.Ping(args[1], Int(args[2]));
            if (args.Length >= 3 && args[0] == "idle-wait") return QueueWorker.IdleWait(args[1], double.Parse(args[2], CultureInfo.InvariantCulture));
            if (args.Length >= 2 && args[0] == "probe") return OtherUser.Probe(args[1], allowOtherOwner: args.Length > 2 && args[2] == "allow");
            if (args.Length >= 2 && args[0] == "plant") return OtherUser.Plant(args[1]);
            if (args.Length >= 5 && args[0] == "stress") return Stress.Run(args[1], TimeSpan.FromSeconds(double.Parse(args[2], CultureInfo.InvariantCulture)), int.Parse(args[3], CultureInfo.InvariantCulture), int.Parse(args[4], CultureInfo.InvariantCulture));
            Console.Error.WriteLine("usage: crash-writer NAME SEED | stress NAME SECONDS ID SEED | probe NAME [allow] | plant NAME");
            return 2;
        }

        private static int Int(string text) => int.Parse(text, CultureInfo.InvariantCulture);

        private static int CrashWriter(string name, int seed)
        {
            var random = new Random(seed);
            using var segment = SharedMemorySegment.Open(new SegmentOptions(name) { Mode = OpenMode.OpenExisting });
            // Pauses of up to 2 ms between steps widen every window in which a kill can land.
            FaultInjection.Pause = _ => { if (random.Next(3) == 0) Thread.Sleep(random.Next(0, 3)); else Thread.SpinWait(random.Next(0, 20000)); };
            long sequence = 0;
            bool announced = false;
            while (true)
            {
                byte[] payload = CheckedPayload.Create(seed, ++sequence, random.Next(24, 48 * 1024), random);
                using (LockedSegment locked = segment.Lock(TimeSpan.FromSeconds(30)))
                {
                    locked.WriteValue(PayloadKind.Bytes, payload);
                }

                if (!announced)
                {
                    Console.Out.WriteLine("writing");
                    Console.Out.Flush();
                    announced = true;
                }
            }
        }
    }
}
