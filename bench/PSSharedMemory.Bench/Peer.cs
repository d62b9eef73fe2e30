using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Net.Sockets;

namespace PSSharedMemory.Bench
{
    /// <summary>The other process of the cross-process rows.</summary>
    internal static class Peer
    {
        public static int Run(string[] args)
        {
            switch (args[0])
            {
                case "queue-consume": return QueueConsume(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), int.Parse(args[3], CultureInfo.InvariantCulture), int.Parse(args[4], CultureInfo.InvariantCulture));
                case "uds-consume": return UdsConsume(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), int.Parse(args[3], CultureInfo.InvariantCulture));
                case "wake-wait": return WakeWait(args[1], ulong.Parse(args[2], CultureInfo.InvariantCulture), ulong.Parse(args[3], CultureInfo.InvariantCulture), double.Parse(args[4], CultureInfo.InvariantCulture));
                case "fifo-consume": return FifoConsume(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), int.Parse(args[3], CultureInfo.InvariantCulture));
                case "queue-produce": return QueueProduce(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), int.Parse(args[3], CultureInfo.InvariantCulture), int.Parse(args[4], CultureInfo.InvariantCulture), int.Parse(args[5], CultureInfo.InvariantCulture));
                case "queue-drain": return QueueDrain(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), int.Parse(args[3], CultureInfo.InvariantCulture));
                case "uds-serve": return UdsServe(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), int.Parse(args[3], CultureInfo.InvariantCulture));
                case "uds-send": return UdsSend(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), int.Parse(args[3], CultureInfo.InvariantCulture));
                case "idle-wait": return IdleWait(args[1]);
                default: return 2;
            }
        }

        private static int QueueConsume(string name, int count, int batch, int size)
        {
            using var queue = SharedMemorySegment.Open(new SegmentOptions(name) { Mode = OpenMode.OpenExisting });
            Console.Out.WriteLine("ready");
            Console.Out.Flush();
            EachRound(() =>
            {
                int received = 0;
                QueueTraffic.Receive(queue, batch, size, (_, _, _) => ++received < count);
            });
            return 0;
        }

        private static int UdsConsume(string path, int count, int size)
        {
            bool tcp = path.StartsWith("tcp:", StringComparison.Ordinal);
            using var socket = tcp ? new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) : new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            if (tcp) socket.Connect(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, int.Parse(path.Substring(4), CultureInfo.InvariantCulture)));
            else socket.Connect(new UnixDomainSocketEndPoint(path));
            EachRound(() => ReceiveAll((buffer, length) => socket.Receive(buffer, 0, length, SocketFlags.None), count, size));
            return 0;
        }

        /// <summary>
        /// Waits for each of the writer's changes and notes how long after the writer's store it noticed it:
        /// the writer stores a timestamp as raw bytes, which bumps the change counter, and the latency runs
        /// from that timestamp until WaitForChange returns here. Versions before <paramref name="firstTimed"/> are the warm-up's.
        /// </summary>
        private static int WakeWait(string name, ulong firstTimed, ulong lastVersion, double spinMicroseconds)
        {
            using var segment = SharedMemorySegment.Open(new SegmentOptions(name) { Mode = OpenMode.OpenExisting });
            segment.WaitSpin = TimeSpan.FromTicks((long)(spinMicroseconds * 10));
            var latencies = new List<double>((int)Math.Min(lastVersion, 1_000_000));
            var stamp = new byte[8];
            uint observed;
            ulong seen;
            using (LockedSegment locked = segment.Lock())
            {
                observed = locked.ChangeCounter;
                seen = segment.Version ?? 0;
            }

            Console.Out.WriteLine("ready");
            Console.Out.Flush();
            while (seen < lastVersion)
            {
                if (!segment.WaitForChange(observed, TimeSpan.FromSeconds(30))) throw new TimeoutException("no change for 30 s");
                long noticed = Stopwatch.GetTimestamp();
                using LockedSegment locked = segment.Lock();
                observed = locked.ChangeCounter;
                ulong version = segment.Version ?? 0;
                locked.ReadBytes(0, stamp, 0, 8);
                if (version == seen + 1 && version >= firstTimed) latencies.Add((noticed - BitConverter.ToInt64(stamp)) * 1e6 / Stopwatch.Frequency);
                seen = version;
            }

            latencies.Sort();
            double P(double q) => latencies[Math.Min(latencies.Count - 1, (int)(q * latencies.Count))];
            Console.Out.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0:0.00} {1:0.00} {2:0.00}", P(0.5), P(0.99), P(0.999)));
            return 0;
        }

        private static int FifoConsume(string path, int count, int size)
        {
            using var fifo = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
            EachRound(() => ReceiveAll((buffer, length) => fifo.Read(buffer, 0, length), count, size));
            return 0;
        }

        /// <summary>One of several producers: messages carry the producer's id and a sequence number, so consumers can check each arrives once.</summary>
        private static int QueueProduce(string name, int count, int size, int id, int batch)
        {
            using var queue = SharedMemorySegment.Open(new SegmentOptions(name) { Mode = OpenMode.OpenExisting });
            Console.Out.WriteLine("ready");
            Console.Out.Flush();
            EachRound(() => QueueTraffic.Send(queue, count, batch, Math.Max(size, 8), (i, p) =>
            {
                BitConverter.TryWriteBytes(p.AsSpan(0, 4), id);
                BitConverter.TryWriteBytes(p.AsSpan(4, 4), i);
            }));
            return 0;
        }

        /// <summary>
        /// One of several consumers, each round until an empty message: prints how many it took, the sum of
        /// their sequence numbers, and how many arrived out of order for their producer (a duplicate would).
        /// </summary>
        private static int QueueDrain(string name, int producers, int batch)
        {
            using var queue = SharedMemorySegment.Open(new SegmentOptions(name) { Mode = OpenMode.OpenExisting });
            var last = new int[producers];
            Console.Out.WriteLine("ready");
            Console.Out.Flush();
            EachRound(() =>
            {
                Array.Fill(last, -1);
                long taken = 0, sum = 0, disorder = 0;
                QueueTraffic.Receive(queue, batch, 100, (message, offset, length) =>
                {
                    if (length == 0) return false;
                    int id = BitConverter.ToInt32(message, offset), sequence = BitConverter.ToInt32(message, offset + 4);
                    if (sequence <= last[id]) disorder++;
                    last[id] = sequence;
                    taken++;
                    sum += sequence;
                    return true;
                });

                Console.Out.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0} {1} {2}", taken, sum, disorder));
            });
            return 0;
        }

        private static int UdsServe(string path, int count, int size)
        {
            using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            listener.Bind(new UnixDomainSocketEndPoint(path));
            listener.Listen(1);
            Console.Out.WriteLine("ready");
            Console.Out.Flush();
            using Socket connection = listener.Accept();
            EachRound(() => ReceiveAll((buffer, length) => connection.Receive(buffer, 0, length, SocketFlags.None), count, size));
            return 0;
        }

        private static int UdsSend(string path, int count, int size)
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(path));
            var payload = new byte[size];
            Console.Out.WriteLine("ready");
            Console.Out.Flush();
            EachRound(() =>
            {
                for (int i = 0; i < count; i++) socket.Send(payload);
            });
            return 0;
        }

        /// <summary>Reads <paramref name="count"/> messages of <paramref name="size"/> bytes, one read call per message at most.</summary>
        private static void ReceiveAll(Func<byte[], int, int> read, int count, int size)
        {
            var buffer = new byte[size];
            long expected = (long)count * size, received = 0;
            while (received < expected)
            {
                int n = read(buffer, (int)Math.Min(size, expected - received));
                if (n == 0) break;
                received += n;
            }
        }

        /// <summary>
        /// Sends or takes a round of messages each time the benchmark says "go", and says "done" after it, until
        /// the benchmark closes standard input: the rounds before the timed one warm the processes up.
        /// </summary>
        private static void EachRound(Action round)
        {
            while (Console.In.ReadLine() == "go")
            {
                round();
                Console.Out.WriteLine("done");
                Console.Out.Flush();
            }
        }

        private static int IdleWait(string name)
        {
            using var segment = SharedMemorySegment.Open(new SegmentOptions(name) { Mode = OpenMode.OpenExisting });
            uint observed;
            using (LockedSegment locked = segment.Lock()) observed = locked.ChangeCounter;
            var before = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            segment.WaitForChange(observed, TimeSpan.FromSeconds(2));
            double percent = (Process.GetCurrentProcess().TotalProcessorTime - before).TotalSeconds / clock.Elapsed.TotalSeconds * 100;
            Console.Out.WriteLine(percent.ToString("0.00", CultureInfo.InvariantCulture));
            return 0;
        }
    }
}
