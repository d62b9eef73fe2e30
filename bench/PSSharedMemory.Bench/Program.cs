using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Sockets;
using System.Threading;

namespace PSSharedMemory.Bench
{
    /// <summary>
    /// dotnet run -c Release --project bench/PSSharedMemory.Bench [-- [--quick] [--only copies|lock|create|queues|wake|pwsh]]
    /// Prints one Markdown table; every ratio is against a baseline measured in the same run.
    /// </summary>
    internal static class Program
    {
        private static readonly string Self = typeof(Program).Assembly.Location;
        private static TimeSpan budget = TimeSpan.FromSeconds(1);
        private static bool quick;

        private static int Main(string[] args)
        {
            if (args.Length > 0 && args[0] == "peer") return Peer.Run(args.Skip(1).ToArray());
            quick = args.Contains("--quick");
            budget = quick ? TimeSpan.FromMilliseconds(150) : TimeSpan.FromSeconds(1);
            var table = new Table();
            bool apart = args.Contains(ApartSwitch);
            if (!apart) Console.Error.WriteLine($"PSSharedMemory benchmark, {(quick ? "quick" : "full")} mode, {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd}");
            int only = Array.IndexOf(args, "--only");
            string? section = only >= 0 && only + 1 < args.Length ? args[only + 1] : null;
            var sections = new (string Name, Action<Table> Run)[] { ("copies", Copies), ("lock", Lock), ("create", CreateRemove), ("queues", Queues), ("wake", WakeUp), ("pwsh", Pwsh) };
            foreach (var (sectionName, run) in sections)
            {
                if (section is not null && section != sectionName) continue;
                if (section is null) RunApart(sectionName, table);
                else run(table);
            }

            table.Print();
            return 0;
        }

        /// <summary>Tells a process started by <see cref="RunApart"/> that its section is part of a whole run.</summary>
        private const string ApartSwitch = "--part-of-run";

        /// <summary>
        /// Runs one section in a process of its own and adds the rows it prints: each section starts from a
        /// fresh process, so none is timed in the heap, threads and compiled code that the sections before it
        /// left behind. Run in one process, the 10,000-object row came out at 2.7-3.0× in three full runs,
        /// where the cmdlets section run alone gave 3.6-3.9× in the same hours.
        /// </summary>
        private static void RunApart(string sectionName, Table table)
        {
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
            foreach (string a in new[] { Self, "--only", sectionName, ApartSwitch }) info.ArgumentList.Add(a);
            if (quick) info.ArgumentList.Add("--quick");
            using Process part = Process.Start(info)!;
            string? line;
            while ((line = part.StandardOutput.ReadLine()) is not null) table.AddPrinted(line);
            part.WaitForExit();
            int left = RemoveLeftovers(part.Id);
            if (part.ExitCode != 0) throw new InvalidOperationException($"the {sectionName} section failed (exit code {part.ExitCode}); {left} segments and files it left were removed");
            if (left > 0) Console.Error.WriteLine($"warning: the {sectionName} section left {left} segments or files behind; they were removed");
        }

        /// <summary>
        /// Removes what a section's process left behind, named by <see cref="Unique"/> with its process ID: the
        /// segments in /dev/shm (with their lock companions) and the temp files. A section that fails midway
        /// leaves them, and on Linux a segment outlives its process.
        /// </summary>
        private static int RemoveLeftovers(int processId)
        {
            string suffix = "_" + processId.ToString(CultureInfo.InvariantCulture);
            int removed = 0;
            foreach (string folder in new[] { "/dev/shm", Path.GetTempPath() })
            {
                if (!Directory.Exists(folder)) continue;
                foreach (string path in Directory.EnumerateFiles(folder, "pssm_bench_*"))
                {
                    string name = Path.GetFileNameWithoutExtension(path);
                    if (!name.EndsWith(suffix, StringComparison.Ordinal) && !name.EndsWith(suffix + "_Mutex", StringComparison.Ordinal)) continue;
                    File.Delete(path);
                    removed++;
                }
            }

            return removed;
        }

        /// <summary>Seconds per call: warm up, then double the count until the budget is spent.</summary>
        private static double Measure(Action operation) => Measure(operation, budget);

        private static double Measure(Action operation, TimeSpan spend)
        {
            operation();
            long iterations = 1;
            while (true)
            {
                var clock = Stopwatch.StartNew();
                for (long i = 0; i < iterations; i++) operation();
                clock.Stop();
                if (clock.Elapsed >= spend || iterations > 1L << 32) return clock.Elapsed.TotalSeconds / iterations;
                iterations *= 2;
            }
        }

        /// <summary>How many turns <see cref="MeasureInTurns"/> takes.</summary>
        private const int Turns = 5;

        /// <summary>
        /// Seconds per call of each operation, measured in turns (a fifth of the budget each, five times over)
        /// and the median of each taken: a row and its baseline then see the same stretches of a shared
        /// machine. Measured one after the other, a second each, raw write+read of 64 MiB came out at
        /// 0.88-1.22× the same two copies through a managed buffer in eight full runs, work that differs only
        /// by one lock.
        /// </summary>
        private static double[] MeasureInTurns(params Action[] operations)
        {
            var seconds = operations.Select(_ => new List<double>()).ToArray();
            for (int turn = 0; turn < Turns; turn++)
            {
                for (int i = 0; i < operations.Length; i++) seconds[i].Add(Measure(operations[i], TimeSpan.FromTicks(budget.Ticks / Turns)));
            }

            return seconds.Select(Median).ToArray();
        }

        private static string Unique(string what) => $"pssm_bench_{what}_{Environment.ProcessId}";

        private static void Copies(Table table)
        {
            foreach (int size in new[] { 64, 1024, 64 * 1024, 1024 * 1024, 64 * 1024 * 1024 })
            {
                string label = size >= 1 << 20 ? $"{size >> 20} MiB" : size >= 1024 ? $"{size >> 10} KiB" : $"{size} B";
                var source = new byte[size];
                var target = new byte[size];
                var middle = new byte[size];
                new Random(1).NextBytes(source);
                string name = Unique("copy");
                using var segment = SharedMemorySegment.Open(new SegmentOptions(name) { Size = 2L * size + 64 });

                // The targeted row reads into the caller's buffer, as a program that reads a large value often
                // would; the row below it shows what a new array per read (what the cmdlet returns) costs on top.
                Action ValueWriteRead(SharedMemorySegment s, bool newArray) => () =>
                {
                    using LockedSegment locked = s.Lock();
                    locked.WriteValue(PayloadKind.Bytes, source);
                    if (newArray) locked.ReadValue();
                    else locked.ReadValue(target, 0, out _, out _);
                };

                // A write+read is two copies through a third buffer, the mapping: its baseline is the same two
                // copies through a managed buffer, which touches as much memory. Copying source → target twice
                // touches two buffers, not three: at 1 MiB, where three no longer stay in one core's cache, a
                // write+read took 0.72-0.82 of that time and 0.93-1.04 of the copies through a buffer.
                double[] turns = MeasureInTurns(
                    () => source.AsSpan().CopyTo(target),
                    () =>
                    {
                        source.AsSpan().CopyTo(middle);
                        middle.AsSpan().CopyTo(target);
                    },
                    () =>
                    {
                        using LockedSegment locked = segment.Lock();
                        locked.WriteBytes(0, source);
                        locked.ReadBytes(0, target, 0, size);
                    },
                    ValueWriteRead(segment, newArray: false));
                (double memcpy, double twoCopies, double raw, double value) = (turns[0], turns[1], turns[2], turns[3]);
                table.Add("limit", $"memcpy (Span.CopyTo) {label}", Table.Rate(size / memcpy));
                table.Add("limit", $"memcpy twice, source → buffer → target, {label} each", Table.Rate(size / (twoCopies / 2)), "memcpy", 2 * memcpy / twoCopies);
                double rawRatio = twoCopies / raw;
                string rawTarget = size == 1 << 20 ? "≥ 0.8×" : size == 64 << 20 ? "≥ 0.9×" : "";
                table.Add("core", $"raw write+read {label}, with the lock", Table.Rate(size / (raw / 2)), "memcpy twice", rawRatio, rawTarget, rawTarget.Length == 0 ? null : rawRatio >= (size == 1 << 20 ? 0.8 : 0.9));

                double valueRatio = twoCopies / value;
                table.Add("core", $"value write+read of byte[] {label} (LaneSum both ways), read into a buffer", Table.Rate(size / (value / 2)), "memcpy twice", valueRatio, size == 1 << 20 ? "≥ 0.5×" : "", size == 1 << 20 ? valueRatio >= 0.5 : null);
                if (size == 1 << 20)
                {
                    double fresh = Measure(ValueWriteRead(segment, newArray: true));
                    table.Add("core", $"value write+read of byte[] {label}, each read returning a new array", Table.Rate(size / (fresh / 2)), "memcpy twice", twoCopies / fresh);
                    using var crc = SharedMemorySegment.Open(new SegmentOptions(Unique("crc")) { Size = 2L * size + 64, Checksum = ChecksumAlgorithm.Crc32 });
                    double crcValue = Measure(ValueWriteRead(crc, newArray: false));
                    table.Add("core", $"value write+read of byte[] {label} with -Checksum Crc32, read into a buffer", Table.Rate(size / (crcValue / 2)), "memcpy twice", twoCopies / crcValue);
                    crc.Remove();
                }

                segment.Remove();
            }
        }

        private static void Lock(Table table)
        {
            using var segment = SharedMemorySegment.Open(new SegmentOptions(Unique("lock")) { Size = 64 });
            Action cycle = () => segment.Lock().Dispose();
            // Warmed up first, as a long-running process would be: quick mode's turns (30 ms) end before the
            // runtime has optimised the lock's code, and gave 127-133 ns where full mode gives 67-70.
            WarmUpWith(cycle);
            // In turns, as the copy rows: measured once for a second, one run in eleven gave 102 ns against
            // 69-90 ns in the others, a run whose other rows ran slow too.
            double seconds = MeasureInTurns(cycle)[0];
            table.Add("core", "uncontended lock acquire+release", Table.Time(seconds), "", null, "≤ 100 ns", seconds <= 100e-9);
            segment.Remove();
        }

        private static void CreateRemove(Table table)
        {
            string name = Unique("cr");
            double ours = Measure(() =>
            {
                var created = SharedMemorySegment.Open(new SegmentOptions(name) { Size = 4096, Mode = OpenMode.CreateNew });
                var opened = SharedMemorySegment.Open(new SegmentOptions(name) { Mode = OpenMode.OpenExisting });
                opened.Dispose();
                created.Remove();
            });
            int count = quick ? 300 : 3000;
            // Python warms up as ours does before it is timed: its first 3,000 cycles in a fresh interpreter took
            // 35-40 us each here and the rounds after them 18-20 us. Timed 300 at a time, the third 300 took about
            // 165 us each and the next few hundred 23-31 us, in two runs, with or without its resource tracker
            // started beforehand. The figure is the median of five rounds after one round of warm-up.
            string script = string.Join("\n",
                "import time, statistics",
                "from multiprocessing import shared_memory",
                "def cycle():",
                $"    s = shared_memory.SharedMemory(name='pssm_bench_py_{Environment.ProcessId}', create=True, size=4096)",
                "    s.close()",
                "    s.unlink()",
                "def timed_round():",
                "    start = time.perf_counter()",
                $"    for i in range({count}): cycle()",
                $"    return (time.perf_counter() - start) / {count}",
                "timed_round()",
                "print(statistics.median(timed_round() for r in range(5)))");
            double? python = null;
            try
            {
                var info = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
                using var process = Process.Start(info)!;
                process.StandardInput.Write(script);
                process.StandardInput.Close();
                python = double.Parse(process.StandardOutput.ReadToEnd().Trim(), CultureInfo.InvariantCulture);
                process.WaitForExit();
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or FormatException)
            {
                Console.Error.WriteLine("python3 not available: " + e.Message);
            }

            double? ratio = python.HasValue ? ours / python.Value : null;
            table.Add("core", "create+open+close+remove, 4 KiB", Table.Time(ours), python.HasValue ? "Python create+close+unlink " + Table.Time(python.Value) : "python3 missing", ratio, "≤ 0.5× Python", ratio.HasValue ? ratio <= 0.5 : null);

            // The floor of each design in plain C (bench/limits/create_cycle.c): how far any implementation
            // of the cycle is from the target on this machine's kernel.
            var floors = NativeLimit.Run("create_cycle", count.ToString(CultureInfo.InvariantCulture));
            if (floors is null) return;
            void Floor(string key, string what) => table.Add("limit", "C, " + what, Table.Time(floors[key]), python.HasValue ? "Python" : "", python.HasValue ? floors[key] / python.Value : null);
            Floor("python_like", "create+close+unlink of one object mapped once and never touched (Python's cycle without the interpreter; no open)");
            Floor("python_like_touched", "the same with one word written through the mapping (the least a cycle pays whose lock is a word in shared memory)");
            Floor("one_object_unmapped", "create+open+close+remove, one object, header by pwrite/pread, nothing mapped");
            Floor("one_object_locked", "create+open+close+remove, one object holding its own lock, mapped and written by the creator only");
            Floor("two_objects_unmapped", "create+open+close+remove, segment and lock companion, nothing mapped");
            Floor("two_objects_mapped", "create+open+close+remove, segment and lock companion each mapped by creator and opener (this module's design)");
        }

        private static void Queues(Table table)
        {
            int small = quick ? 50_000 : 500_000;
            int big = quick ? 100 : 1000;
            double udsSmall, queueSmall, queueBatched;
            using (Transfer uds = StartStream(small, 100, tcp: false))
            using (Transfer one = StartQueue(small, 100, batch: 1))
            using (Transfer batched = StartQueue(small, 100, Batch))
            {
                double[] seconds = InTurns(uds.Round, one.Round, batched.Round);
                (udsSmall, queueSmall, queueBatched) = (seconds[0], seconds[1], seconds[2]);
            }

            table.Add("alternative", "Unix domain socket, 100 B messages, process → process", Table.PerSecond(small / udsSmall));
            table.Add("alternative", "TCP loopback, 100 B messages, process → process", Table.PerSecond(small / Alone(StartStream(small, 100, tcp: true))));
            table.Add("alternative", "FIFO (named pipe), 100 B messages, process → process", Table.PerSecond(small / Alone(StartFifo(small, 100))));
            table.Add("across processes", "queue, 100 B messages, 1 producer → 1 consumer, one message per lock", Table.PerSecond(small / queueSmall), "Unix socket", udsSmall / queueSmall);
            table.Add("across processes", $"queue, 100 B messages, 1 producer → 1 consumer, up to {Batch} per lock", Table.PerSecond(small / queueBatched), "Unix socket", udsSmall / queueBatched, "≥ 20×", udsSmall / queueBatched >= 20);
            int share = small / 4;
            double udsMany, queueMany, queueManyBatched;
            string delivery, batchedDelivery;
            using (Transfer uds = StartUdsPairs(4, share, 100))
            using (QueueManyTransfer one = StartQueueMany(4, 4, share, 100, batch: 1))
            using (QueueManyTransfer batched = StartQueueMany(4, 4, share, 100, Batch))
            {
                double[] seconds = InTurns(uds.Round, one.Transfer.Round, batched.Transfer.Round);
                (udsMany, queueMany, queueManyBatched) = (seconds[0], seconds[1], seconds[2]);
                (delivery, batchedDelivery) = (one.Delivery, batched.Delivery);
            }

            table.Add("alternative", "Unix domain sockets, 100 B messages, 4 producer → 4 consumer processes (4 pairs)", Table.PerSecond(4.0 * share / udsMany));
            table.Add("across processes", $"queue, 100 B messages, 4 producers → 4 consumers, one per lock ({delivery})", Table.PerSecond(4.0 * share / queueMany), "Unix sockets", udsMany / queueMany);
            table.Add("across processes", $"queue, 100 B messages, 4 producers → 4 consumers, up to {Batch} per lock ({batchedDelivery})", Table.PerSecond(4.0 * share / queueManyBatched), "Unix sockets", udsMany / queueManyBatched, "≥ 5×, exactly once", udsMany / queueManyBatched >= 5 && batchedDelivery == "each once");
            double udsBig, queueBig;
            using (Transfer uds = StartStream(big, 1 << 20, tcp: false))
            using (Transfer queue = StartQueue(big, 1 << 20, batch: 1))
            {
                double[] seconds = InTurns(uds.Round, queue.Round);
                (udsBig, queueBig) = (seconds[0], seconds[1]);
            }

            table.Add("alternative", "Unix domain socket, 1 MiB chunks, process → process", Table.Rate((double)big * (1 << 20) / udsBig));
            table.Add("alternative", "TCP loopback, 1 MiB chunks, process → process", Table.Rate((double)big * (1 << 20) / Alone(StartStream(big, 1 << 20, tcp: true))));
            table.Add("alternative", "FIFO (named pipe), 1 MiB chunks, process → process", Table.Rate((double)big * (1 << 20) / Alone(StartFifo(big, 1 << 20))));
            table.Add("across processes", "queue, 1 MiB messages, 1 producer → 1 consumer", Table.Rate((double)big * (1 << 20) / queueBig), "Unix socket", udsBig / queueBig, "≥ 3×", udsBig / queueBig >= 3);

            // The floor of any design that copies on each side (bench/limits/ring.c), against a socket in the same C program.
            // A thousand messages even in quick mode: under a second, and enough that mapping the ring's pages
            // in each process, which the C program pays up front, does not dominate.
            var ring = NativeLimit.Run("ring", "1000", (1 << 20).ToString(CultureInfo.InvariantCulture), (64 << 10).ToString(CultureInfo.InvariantCulture));
            if (ring is null) return;
            table.Add("limit", "C, Unix socketpair, 1 MiB chunks, process → process", Table.Rate(ring["socket"]));
            table.Add("limit", "C, lock-free ring in shared memory, 1 MiB messages copied in and out in 64 KiB pieces, no checksum", Table.Rate(ring["ring"]), "C socketpair", ring["ring"] / ring["socket"]);
            table.Add("limit", "C, the same ring with a lane sum of each piece on each side", Table.Rate(ring["ring_sum"]), "C socketpair", ring["ring_sum"] / ring["socket"]);
        }

        /// <summary>How many messages a batching producer or consumer moves per lock hold at most.</summary>
        private const int Batch = 1024;

        /// <summary>The ring of the queue rows (at least four messages of the size measured).</summary>
        private const int RingSize = 1 << 20;

        /// <summary>Rounds of sending <paramref name="count"/> messages to a consumer process through a queue, until it has them all.</summary>
        private static Transfer StartQueue(int count, int size, int batch)
        {
            string name = Unique("q");
            // A ring of 1 MiB, like a socket's buffer: small messages then stay in the caches between the two sides.
            var queue = SharedMemorySegment.Open(new SegmentOptions(name) { Size = Math.Max(RingSize, 4L * size), Kind = SegmentKind.Queue });
            Process consumer = StartPeer("queue-consume", name, count.ToString(CultureInfo.InvariantCulture), batch.ToString(CultureInfo.InvariantCulture), size.ToString(CultureInfo.InvariantCulture));
            consumer.StandardOutput.ReadLine(); // "ready"
            return new Transfer(RoundWith(consumer, () => QueueTraffic.Send(queue, count, batch, size)), () =>
            {
                Finish(new[] { consumer });
                queue.Remove();
                queue.Dispose();
            });
        }

        /// <summary>A transfer through one queue between producer and consumer processes, and whether every message of every round so far arrived exactly once.</summary>
        private sealed record QueueManyTransfer(Transfer Transfer, Func<string> DeliveryOfRounds) : IDisposable
        {
            public string Delivery => DeliveryOfRounds();

            public void Dispose() => Transfer.Dispose();
        }

        /// <summary>Rounds of <paramref name="producers"/> producer processes passing <paramref name="perProducer"/> messages each through one queue to <paramref name="consumers"/> consumer processes, and whether each arrived exactly once.</summary>
        private static QueueManyTransfer StartQueueMany(int producers, int consumers, int perProducer, int size, int batch)
        {
            string name = Unique("qm");
            var queue = SharedMemorySegment.Open(new SegmentOptions(name) { Size = RingSize, Kind = SegmentKind.Queue });
            var drains = Enumerable.Range(0, consumers).Select(_ => StartPeer("queue-drain", name, producers.ToString(CultureInfo.InvariantCulture), batch.ToString(CultureInfo.InvariantCulture))).ToList();
            var feeds = Enumerable.Range(0, producers).Select(id => StartPeer("queue-produce", name, perProducer.ToString(CultureInfo.InvariantCulture), size.ToString(CultureInfo.InvariantCulture), id.ToString(CultureInfo.InvariantCulture), batch.ToString(CultureInfo.InvariantCulture))).ToList();
            foreach (Process p in drains.Concat(feeds)) p.StandardOutput.ReadLine(); // "ready"
            long expectedSum = producers * ((long)perProducer * (perProducer - 1) / 2);
            string? failure = null;
            Func<double> round = () =>
            {
                var clock = Stopwatch.StartNew();
                foreach (Process p in drains.Concat(feeds)) p.StandardInput.WriteLine("go");
                foreach (Process p in feeds) p.StandardOutput.ReadLine(); // "done"
                for (int i = 0; i < consumers; i++) queue.WaitUntil(locked => locked.TryEnqueue(PayloadKind.Bytes, Array.Empty<byte>()) ? queue : null, TimeSpan.FromSeconds(60));
                long taken = 0, sum = 0, disorder = 0;
                foreach (Process p in drains)
                {
                    long[] figures = p.StandardOutput.ReadLine()!.Split(' ').Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
                    p.StandardOutput.ReadLine(); // "done"
                    taken += figures[0];
                    sum += figures[1];
                    disorder += figures[2];
                }

                double round = clock.Elapsed.TotalSeconds;
                // Every round counts, warm-up or timed: a message lost or taken twice in any is a failure.
                if (failure is null && (taken != (long)producers * perProducer || sum != expectedSum || disorder != 0)) failure = $"NOT each once: {taken} taken, {disorder} out of order";
                return round;
            };
            return new QueueManyTransfer(
                new Transfer(round, () =>
                {
                    Finish(drains.Concat(feeds));
                    queue.Remove();
                    queue.Dispose();
                }),
                () => failure ?? "each once");
        }

        /// <summary>Rounds of <paramref name="pairs"/> producer processes each sending <paramref name="count"/> messages to their own consumer process over a Unix domain socket.</summary>
        private static Transfer StartUdsPairs(int pairs, int count, int size)
        {
            var paths = Enumerable.Range(0, pairs).Select(i => Path.Combine(Path.GetTempPath(), Unique("udsp" + i) + ".sock")).ToList();
            paths.ForEach(File.Delete);
            var servers = paths.Select(path => StartPeer("uds-serve", path, count.ToString(CultureInfo.InvariantCulture), size.ToString(CultureInfo.InvariantCulture))).ToList();
            servers.ForEach(p => p.StandardOutput.ReadLine());
            var senders = paths.Select(path => StartPeer("uds-send", path, count.ToString(CultureInfo.InvariantCulture), size.ToString(CultureInfo.InvariantCulture))).ToList();
            senders.ForEach(p => p.StandardOutput.ReadLine());
            return new Transfer(
                () =>
                {
                    var clock = Stopwatch.StartNew();
                    foreach (Process p in servers.Concat(senders)) p.StandardInput.WriteLine("go");
                    foreach (Process p in servers.Concat(senders)) p.StandardOutput.ReadLine(); // "done"
                    return clock.Elapsed.TotalSeconds;
                },
                () =>
                {
                    Finish(servers.Concat(senders));
                    paths.ForEach(File.Delete);
                });
        }

        [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
        private static extern int mkfifo(string path, uint mode);

        /// <summary>Rounds of writing <paramref name="count"/> messages, one write each, into a FIFO that a consumer process reads.</summary>
        private static Transfer StartFifo(int count, int size)
        {
            string path = Path.Combine(Path.GetTempPath(), Unique("fifo"));
            File.Delete(path);
            if (mkfifo(path, Convert.ToUInt32("600", 8)) != 0) throw new IOException("mkfifo failed: " + System.Runtime.InteropServices.Marshal.GetLastWin32Error());
            Process consumer = StartPeer("fifo-consume", path, count.ToString(CultureInfo.InvariantCulture), size.ToString(CultureInfo.InvariantCulture));
            var payload = new byte[size];
            var fifo = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
            return new Transfer(
                RoundWith(consumer, () =>
                {
                    for (int i = 0; i < count; i++) fifo.Write(payload, 0, size);
                }),
                () =>
                {
                    fifo.Dispose();
                    Finish(new[] { consumer });
                    File.Delete(path);
                });
        }

        /// <summary>Rounds of sending <paramref name="count"/> messages over a Unix domain socket or TCP loopback to a consumer process.</summary>
        private static Transfer StartStream(int count, int size, bool tcp)
        {
            string path = Path.Combine(Path.GetTempPath(), Unique("uds") + ".sock");
            File.Delete(path);
            var listener = tcp ? new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) : new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            if (tcp)
            {
                listener.NoDelay = true;
                listener.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
            }
            else
            {
                listener.Bind(new UnixDomainSocketEndPoint(path));
            }

            listener.Listen(1);
            string endpoint = tcp ? "tcp:" + ((System.Net.IPEndPoint)listener.LocalEndPoint!).Port.ToString(CultureInfo.InvariantCulture) : path;
            Process consumer = StartPeer("uds-consume", endpoint, count.ToString(CultureInfo.InvariantCulture), size.ToString(CultureInfo.InvariantCulture));
            Socket connection = listener.Accept();
            var payload = new byte[size];
            return new Transfer(
                RoundWith(consumer, () =>
                {
                    for (int i = 0; i < count; i++) connection.Send(payload);
                }),
                () =>
                {
                    connection.Dispose();
                    Finish(new[] { consumer });
                    listener.Dispose();
                    File.Delete(path);
                });
        }

        /// <summary>How long a transfer between processes runs rounds before the ones that are timed.</summary>
        private static readonly TimeSpan WarmUp = TimeSpan.FromMilliseconds(500);

        /// <summary>How many rounds of a transfer between processes are timed after the warm-up; the row is their median.</summary>
        private static int TimedRounds => quick ? 3 : 5;

        /// <summary>Runs <paramref name="operation"/> over and over, at least once, for <paramref name="warmUp"/> (<see cref="WarmUp"/> if not given).</summary>
        private static void WarmUpWith(Action operation, TimeSpan? warmUp = null)
        {
            var warming = Stopwatch.StartNew();
            do operation();
            while (warming.Elapsed < (warmUp ?? WarmUp));
        }

        /// <summary>
        /// Seconds of a round of each transfer: the median of <see cref="TimedRounds"/> rounds, timed after rounds
        /// that warm them up. Each process compiles its code on first use (this one unoptimised first, then again
        /// optimised once it has run a while) and touches its buffers' pages for the first time: a 100 B row, a
        /// fraction of a second, would otherwise be timed with that work in it. The first 4 → 4 round took three
        /// to four times as long as the rounds after it. A median, because a round of 100 B messages lasts 30-50
        /// ms, and on the 2-core VM of the README now and then one side's own work slowed by half for a few hundred
        /// milliseconds (a producer filling batches, with no wait for room, took 40-48 ms a round instead of 26): a
        /// single round falling in such a stretch gave the row alone. Several transfers, a row and its baseline,
        /// run their rounds in turns, one round of each and again, warm-up included, so that both see the same
        /// stretches: timed one after the other, a stretch that fell on the row alone or on its baseline alone
        /// moved their ratio by half.
        /// </summary>
        private static double[] InTurns(params Func<double>[] rounds)
        {
            WarmUpWith(() => Array.ForEach(rounds, round => round()), TimeSpan.FromTicks(WarmUp.Ticks * rounds.Length));
            var timed = rounds.Select(_ => new List<double>()).ToArray();
            for (int i = 0; i < TimedRounds; i++)
            {
                for (int k = 0; k < rounds.Length; k++) timed[k].Add(rounds[k]());
            }

            return timed.Select(Median).ToArray();
        }

        /// <summary>Seconds of a round of <paramref name="transfer"/>, timed alone (<see cref="InTurns"/>); then ends it.</summary>
        private static double Alone(Transfer transfer)
        {
            using (transfer) return InTurns(transfer.Round)[0];
        }

        /// <summary>A round of <paramref name="send"/> from this process to a <paramref name="consumer"/> that takes a round on each "go" (Peer.EachRound).</summary>
        private static Func<double> RoundWith(Process consumer, Action send) => () =>
        {
            var clock = Stopwatch.StartNew();
            consumer.StandardInput.WriteLine("go");
            send();
            consumer.StandardOutput.ReadLine(); // "done"
            return clock.Elapsed.TotalSeconds;
        };

        /// <summary>Ends peers that take rounds (their standard input closes), waits for them to exit and lets them go.</summary>
        private static void Finish(IEnumerable<Process> peers)
        {
            var ending = peers.ToList();
            foreach (Process p in ending) p.StandardInput.Close();
            foreach (Process p in ending)
            {
                p.WaitForExit();
                p.Dispose();
            }
        }

        private static void WakeUp(Table table)
        {
            int pings = quick ? 200 : 2000;
            string name = Unique("wake");
            using var segment = SharedMemorySegment.Open(new SegmentOptions(name) { Size = 64 });
            // A waiter that spins longer than the time between writes (PingInterval) is always spinning when one comes.
            var (p50, p99, p999) = WakeLatencies(segment, name, pings, spinMicroseconds: 5000, writerSleeps: false);
            table.Add("across processes", "wake-up of a spinning reader in another process (WaitSpin 5 ms), store → noticed, p50", Table.Time(p50 / 1e6), "", null, "≤ 1 µs while it spins", p50 <= 1);
            table.Add("across processes", "wake-up of a spinning reader, p99 / p99.9", $"{Table.Time(p99 / 1e6)} / {Table.Time(p999 / 1e6)}", "", null, "p99 ≤ 50 µs", p99 <= 50);
            (p50, p99, p999) = WakeLatencies(segment, name, pings, spinMicroseconds: 5000, writerSleeps: true);
            table.Add("across processes", "wake-up of a spinning reader when the writer slept before each write, p50 / p99 / p99.9", $"{Table.Time(p50 / 1e6)} / {Table.Time(p99 / 1e6)} / {Table.Time(p999 / 1e6)}");
            (p50, p99, p999) = WakeLatencies(segment, name, pings, spinMicroseconds: 50, writerSleeps: true);
            table.Add("across processes", "wake-up of a sleeping reader (default WaitSpin 50 µs), p50 / p99 / p99.9", $"{Table.Time(p50 / 1e6)} / {Table.Time(p99 / 1e6)} / {Table.Time(p999 / 1e6)}");

            using var idle = StartPeer("idle-wait", name);
            double cpu = double.Parse(idle.StandardOutput.ReadLine()!, CultureInfo.InvariantCulture);
            idle.WaitForExit();
            table.Add("across processes", "CPU of an idle waiting reader", cpu.ToString("0.00", CultureInfo.InvariantCulture) + " % of a core", "", null, "< 1 %", cpu < 1);
            segment.Remove();
        }

        /// <summary>
        /// Microseconds from a writer's store until a process waiting for the change notices it: p50, p99, p99.9,
        /// of <paramref name="pings"/> stores after as many as fill the warm-up, which the waiter does not time:
        /// the writing code here runs unoptimised at first. Between stores the writer sleeps or, when
        /// <paramref name="writerSleeps"/> is false, stays on its core: a writer woken from a 2 ms sleep runs its
        /// own write cold, and here that took 1.1-1.8 µs from the stamp to the unlock against 0.4 µs warm, which
        /// the reader, however fast it wakes, cannot notice sooner than.
        /// </summary>
        private static (double P50, double P99, double P999) WakeLatencies(SharedMemorySegment segment, string name, int pings, double spinMicroseconds, bool writerSleeps)
        {
            int warmUp = (int)(WarmUp.TotalMilliseconds / PingInterval);
            ulong start = segment.Version ?? 0;
            string firstTimed = (start + (ulong)warmUp + 1).ToString(CultureInfo.InvariantCulture), last = (start + (ulong)warmUp + (ulong)pings).ToString(CultureInfo.InvariantCulture);
            using var waiter = StartPeer("wake-wait", name, firstTimed, last, spinMicroseconds.ToString(CultureInfo.InvariantCulture));
            waiter.StandardOutput.ReadLine(); // "ready"
            var stamp = new byte[8];
            for (int i = 0; i < warmUp + pings; i++)
            {
                if (writerSleeps)
                {
                    Thread.Sleep(PingInterval);
                }
                else
                {
                    var pause = Stopwatch.StartNew();
                    while (pause.ElapsedMilliseconds < PingInterval) Thread.SpinWait(20);
                }

                using LockedSegment locked = segment.Lock();
                BitConverter.TryWriteBytes(stamp, Stopwatch.GetTimestamp());
                locked.WriteBytes(0, stamp);
            }

            double[] figures = waiter.StandardOutput.ReadLine()!.Split(' ').Select(f => double.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            waiter.WaitForExit();
            return (figures[0], figures[1], figures[2]);
        }

        /// <summary>Milliseconds between the wake-up rows' stores: less than the spinning waiter's 5 ms spin, far more than the sleeping one's 50 µs.</summary>
        private const int PingInterval = 2;

        /// <summary>
        /// The rows that run PowerShell: bench/Measure-Pwsh.ps1 in pwsh from the repository's tool manifest
        /// (dotnet pwsh), whose scripts start pwsh processes of their own, as users run the module.
        /// </summary>
        private static void Pwsh(Table table)
        {
            string root = RepositoryRoot();
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false, WorkingDirectory = root };
            string[] arguments = { "pwsh", "-NoProfile", "-NonInteractive", "-File", Path.Combine(root, "bench", "Measure-Pwsh.ps1"), "-ModuleManifest", Path.Combine(AppContext.BaseDirectory, "PSSharedMemory.psd1") };
            foreach (string a in arguments) info.ArgumentList.Add(a);
            if (quick) info.ArgumentList.Add("-Quick");
            using Process pwsh = Process.Start(info)!;
            string? line;
            while ((line = pwsh.StandardOutput.ReadLine()) is not null)
            {
                if (!line.StartsWith("| ", StringComparison.Ordinal)) continue;
                table.AddPrinted(line);
                Console.Error.WriteLine("  " + line);
            }

            pwsh.WaitForExit();
            if (pwsh.ExitCode != 0) throw new InvalidOperationException($"bench/Measure-Pwsh.ps1 failed (exit code {pwsh.ExitCode})");
        }

        /// <summary>The folder holding bench/Measure-Pwsh.ps1, above the benchmark's build output.</summary>
        private static string RepositoryRoot()
        {
            for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            {
                if (File.Exists(Path.Combine(folder.FullName, "bench", "Measure-Pwsh.ps1"))) return folder.FullName;
            }

            throw new InvalidOperationException($"no bench/Measure-Pwsh.ps1 above {AppContext.BaseDirectory}");
        }

        private static double Median(List<double> values)
        {
            values.Sort();
            return values[values.Count / 2];
        }

        private static Process StartPeer(params string[] arguments)
        {
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
            // The peers would otherwise spend their first fraction of a second in unoptimised tier-0 code, and on
            // two cores eight of them tier up slowly: after the same warm-up, batched 4 → 4 ran at 8.7-12.9 M/s
            // optimised from the start against 5.3-7.0 M/s tiering.
            info.Environment["DOTNET_TieredCompilation"] = "0";
            info.ArgumentList.Add(Self);
            info.ArgumentList.Add("peer");
            foreach (string a in arguments) info.ArgumentList.Add(a);
            return Process.Start(info)!;
        }
    }
}
