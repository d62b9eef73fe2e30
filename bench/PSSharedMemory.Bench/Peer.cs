using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
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
                case "queue-consume": return QueueConsume(args[1], int.Parse(args[2], CultureInfo.InvariantCulture));
                case "uds-consume": return UdsConsume(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), int.Parse(args[3], CultureInfo.InvariantCulture));
                case "wake-wait": return WakeWait(args[1], int.Parse(args[2], CultureInfo.InvariantCulture));
                case "idle-wait": return IdleWait(args[1]);
                default: return 2;
            }
        }

        private static int QueueConsume(string name, int count)
        {
            using var queue = SharedMemorySegment.Open(new SegmentOptions(name) { Mode = OpenMode.OpenExisting });
            Console.Out.WriteLine("ready");
            Console.Out.Flush();
            for (int received = 0; received < count; received++)
            {
                queue.WaitUntil(locked => locked.TryDequeue(), TimeSpan.FromSeconds(30));
            }

            Console.Out.WriteLine("done");
            return 0;
        }

        private static int UdsConsume(string path, int count, int size)
        {
            bool tcp = path.StartsWith("tcp:", StringComparison.Ordinal);
            using var socket = tcp ? new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) : new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            if (tcp) socket.Connect(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, int.Parse(path.Substring(4), CultureInfo.InvariantCulture)));
            else socket.Connect(new UnixDomainSocketEndPoint(path));
            var buffer = new byte[size];
            long expected = (long)count * size, received = 0;
            while (received < expected)
            {
                int n = socket.Receive(buffer, 0, (int)Math.Min(size, expected - received), SocketFlags.None);
                if (n == 0) break;
                received += n;
            }

            Console.Out.WriteLine("done");
            return 0;
        }

        private static int WakeWait(string name, int count)
        {
            using var segment = SharedMemorySegment.Open(new SegmentOptions(name) { Mode = OpenMode.OpenExisting });
            var latencies = new List<double>();
            ulong seen = segment.Version ?? 0;
            Console.Out.WriteLine("ready");
            Console.Out.Flush();
            while (seen < (ulong)count)
            {
                uint observed;
                using (LockedSegment locked = segment.Lock())
                {
                    if (segment.Version > seen)
                    {
                        StoredValue value = locked.ReadValue()!;
                        long now = Stopwatch.GetTimestamp();
                        if (value.Version == seen + 1) latencies.Add((now - BitConverter.ToInt64(value.Payload)) * 1e6 / Stopwatch.Frequency);
                        seen = value.Version;
                        continue;
                    }

                    observed = locked.ChangeCounter;
                }

                segment.WaitForChange(observed, TimeSpan.FromSeconds(30));
            }

            latencies.Sort();
            double P(double q) => latencies[Math.Min(latencies.Count - 1, (int)(q * latencies.Count))];
            Console.Out.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0:0.00} {1:0.00} {2:0.00}", P(0.5), P(0.99), P(0.999)));
            return 0;
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
