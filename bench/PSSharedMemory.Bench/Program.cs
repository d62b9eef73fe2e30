using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Net.Sockets;
using System.Threading;

namespace PSSharedMemory.Bench
{
    /// <summary>
    /// dotnet run -c Release --project bench/PSSharedMemory.Bench [-- --quick]
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
            Console.Error.WriteLine($"PSSharedMemory benchmark, {(quick ? "quick" : "full")} mode, {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd}");
            Copies(table);
            Lock(table);
            CreateRemove(table);
            Queues(table);
            WakeUp(table);
            Cmdlets(table);
            table.Print();
            return 0;
        }

        /// <summary>Seconds per call: warm up, then double the count until the budget is spent.</summary>
        private static double Measure(Action operation)
        {
            operation();
            long iterations = 1;
            while (true)
            {
                var clock = Stopwatch.StartNew();
                for (long i = 0; i < iterations; i++) operation();
                clock.Stop();
                if (clock.Elapsed >= budget || iterations > 1L << 32) return clock.Elapsed.TotalSeconds / iterations;
                iterations *= 2;
            }
        }

        private static string Unique(string what) => $"pssm_bench_{what}_{Environment.ProcessId}";

        private static void Copies(Table table)
        {
            foreach (int size in new[] { 64, 1024, 64 * 1024, 1024 * 1024, 64 * 1024 * 1024 })
            {
                string label = size >= 1 << 20 ? $"{size >> 20} MiB" : size >= 1024 ? $"{size >> 10} KiB" : $"{size} B";
                var source = new byte[size];
                var target = new byte[size];
                new Random(1).NextBytes(source);
                double memcpy = Measure(() => source.AsSpan().CopyTo(target));
                table.Add("limit", $"memcpy (Span.CopyTo) {label}", Table.Rate(size / memcpy));

                string name = Unique("copy");
                using var segment = SharedMemorySegment.Open(new SegmentOptions(name) { Size = 2L * size + 64 });
                double raw = Measure(() =>
                {
                    using LockedSegment locked = segment.Lock();
                    locked.WriteBytes(0, source);
                    locked.ReadBytes(0, target, 0, size);
                });
                // Write+read is two copies: compare with the time of two memcpys of the same size.
                double rawRatio = 2 * memcpy / raw;
                string rawTarget = size == 1 << 20 ? "≥ 0.8×" : size == 64 << 20 ? "≥ 0.9×" : "";
                table.Add("core", $"raw write+read {label}, with the lock", Table.Rate(size / (raw / 2)), "memcpy", rawRatio, rawTarget, rawTarget.Length == 0 ? null : rawRatio >= (size == 1 << 20 ? 0.8 : 0.9));

                double value = Measure(() =>
                {
                    using LockedSegment locked = segment.Lock();
                    locked.WriteValue(PayloadKind.Bytes, source);
                    locked.ReadValue();
                });
                double valueRatio = 2 * memcpy / value;
                table.Add("core", $"value write+read of byte[] {label} (CRC-32 both ways)", Table.Rate(size / (value / 2)), "memcpy", valueRatio, size == 1 << 20 ? "≥ 0.5×" : "", size == 1 << 20 ? valueRatio >= 0.5 : null);
                segment.Remove();
            }
        }

        private static void Lock(Table table)
        {
            using var segment = SharedMemorySegment.Open(new SegmentOptions(Unique("lock")) { Size = 64 });
            double seconds = Measure(() => segment.Lock().Dispose());
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
            string script = "import time,sys\nfrom multiprocessing import shared_memory, resource_tracker\nn=" + count +
                "\nt=time.perf_counter()\nfor i in range(n):\n s=shared_memory.SharedMemory(name='pssm_bench_py',create=True,size=4096)\n s.close()\n s.unlink()\nprint((time.perf_counter()-t)/n)";
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
        }

        private static void Queues(Table table)
        {
            int small = quick ? 50_000 : 500_000;
            int big = quick ? 100 : 1000;
            double udsSmall = Uds(small, 100);
            double queueSmall = Queue(small, 100);
            table.Add("alternative", "Unix domain socket, 100 B messages, process → process", Table.PerSecond(small / udsSmall));
            table.Add("alternative", "TCP loopback, 100 B messages, process → process", Table.PerSecond(small / Stream(small, 100, tcp: true)));
            table.Add("across processes", "queue, 100 B messages, 1 producer → 1 consumer", Table.PerSecond(small / queueSmall), "Unix socket", udsSmall / queueSmall, "≥ 20×", udsSmall / queueSmall >= 20);
            double udsBig = Uds(big, 1 << 20);
            double queueBig = Queue(big, 1 << 20);
            table.Add("alternative", "Unix domain socket, 1 MiB chunks, process → process", Table.Rate((double)big * (1 << 20) / udsBig));
            table.Add("alternative", "TCP loopback, 1 MiB chunks, process → process", Table.Rate((double)big * (1 << 20) / Stream(big, 1 << 20, tcp: true)));
            table.Add("across processes", "queue, 1 MiB messages, 1 producer → 1 consumer", Table.Rate((double)big * (1 << 20) / queueBig), "Unix socket", udsBig / queueBig, "≥ 3×", udsBig / queueBig >= 3);
        }

        /// <summary>Seconds to send <paramref name="count"/> messages to a consumer process through a queue, until it has them all.</summary>
        private static double Queue(int count, int size)
        {
            string name = Unique("q");
            using var queue = SharedMemorySegment.Open(new SegmentOptions(name) { Size = Math.Max(16 << 20, 4L * size), Kind = SegmentKind.Queue });
            using var consumer = StartPeer("queue-consume", name, count.ToString(CultureInfo.InvariantCulture));
            consumer.StandardOutput.ReadLine(); // "ready"
            var payload = new byte[size];
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < count; i++)
            {
                queue.WaitUntil(locked => locked.TryEnqueue(PayloadKind.Bytes, payload) ? queue : null, TimeSpan.FromSeconds(30));
            }

            consumer.StandardOutput.ReadLine(); // "done"
            double seconds = clock.Elapsed.TotalSeconds;
            consumer.WaitForExit();
            queue.Remove();
            return seconds;
        }

        private static double Uds(int count, int size) => Stream(count, size, tcp: false);

        /// <summary>Seconds to send <paramref name="count"/> messages over a Unix domain socket or TCP loopback to a consumer process.</summary>
        private static double Stream(int count, int size, bool tcp)
        {
            string path = Path.Combine(Path.GetTempPath(), Unique("uds") + ".sock");
            File.Delete(path);
            using var listener = tcp ? new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) : new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
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
            using var consumer = StartPeer("uds-consume", endpoint, count.ToString(CultureInfo.InvariantCulture), size.ToString(CultureInfo.InvariantCulture));
            using Socket connection = listener.Accept();
            var payload = new byte[size];
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < count; i++) connection.Send(payload);
            consumer.StandardOutput.ReadLine(); // "done"
            double seconds = clock.Elapsed.TotalSeconds;
            consumer.WaitForExit();
            File.Delete(path);
            return seconds;
        }

        private static void WakeUp(Table table)
        {
            int pings = quick ? 200 : 2000;
            string name = Unique("wake");
            using var segment = SharedMemorySegment.Open(new SegmentOptions(name) { Size = 64 });
            using var waiter = StartPeer("wake-wait", name, pings.ToString(CultureInfo.InvariantCulture));
            waiter.StandardOutput.ReadLine(); // "ready"
            for (int i = 0; i < pings; i++)
            {
                Thread.Sleep(2);
                using LockedSegment locked = segment.Lock();
                locked.WriteValue(PayloadKind.Bytes, BitConverter.GetBytes(Stopwatch.GetTimestamp()));
            }

            string[] figures = waiter.StandardOutput.ReadLine()!.Split(' ');
            waiter.WaitForExit();
            double p50 = double.Parse(figures[0], CultureInfo.InvariantCulture), p99 = double.Parse(figures[1], CultureInfo.InvariantCulture), p999 = double.Parse(figures[2], CultureInfo.InvariantCulture);
            table.Add("across processes", "wake-up of a waiting reader in another process, p50", Table.Time(p50 / 1e6), "", null, "≤ 1 µs while it spins", p50 <= 1);
            table.Add("across processes", "wake-up, p99 / p99.9", $"{Table.Time(p99 / 1e6)} / {Table.Time(p999 / 1e6)}", "", null, "p99 ≤ 50 µs", p99 <= 50);

            using var idle = StartPeer("idle-wait", name);
            double cpu = double.Parse(idle.StandardOutput.ReadLine()!, CultureInfo.InvariantCulture);
            idle.WaitForExit();
            table.Add("across processes", "CPU of an idle waiting reader", cpu.ToString("0.00", CultureInfo.InvariantCulture) + " % of a core", "", null, "< 1 %", cpu < 1);
            segment.Remove();
        }

        private static void Cmdlets(Table table)
        {
            var state = InitialSessionState.CreateDefault2();
            state.ImportPSModule(new[] { Path.Combine(AppContext.BaseDirectory, "PSSharedMemory.psd1") });
            using Runspace runspace = RunspaceFactory.CreateRunspace(state);
            runspace.Open();
            string name = Unique("cmd");
            using (var setup = PowerShell.Create())
            {
                setup.Runspace = runspace;
                setup.AddScript($"$global:h = New-SharedMemory -Name {name} -Size 16MB; $global:o = [pscustomobject]@{{ Id = 1; Name = 'job'; State = 'Queued'; When = [datetime]::UtcNow; Tags = 'a','b' }}").Invoke();
            }

            double Script(string script)
            {
                using var shell = PowerShell.Create();
                shell.Runspace = runspace;
                shell.AddScript(script);
                return Measure(() => shell.Invoke());
            }

            double serializer = Script("[System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($global:o, 2)) | Out-Null");
            double cmdlets = Script("Write-SharedMemory -Handle $global:h -InputObject $global:o; Read-SharedMemory -Handle $global:h | Out-Null");
            double empty = Script("$null | Out-Null");
            table.Add("cmdlets", "PSSerializer Serialize + Deserialize of a 5-property object (script)", Table.Time(serializer - empty));
            table.Add("cmdlets", "Write-SharedMemory + Read-SharedMemory of the same object", Table.Time(cmdlets - empty), "PSSerializer alone", (cmdlets - empty) / (serializer - empty), "≤ 1.5×", (cmdlets - empty) / (serializer - empty) <= 1.5);
            using (var setup = PowerShell.Create())
            {
                setup.Runspace = runspace;
                setup.AddScript("$global:b = [byte[]]::new(1MB); $global:s = 'x' * 10MB; $global:file = [IO.Path]::GetTempFileName()").Invoke();
            }

            var mib = new byte[1 << 20];
            var copy = new byte[1 << 20];
            double twoCopies = 2 * Measure(() => mib.AsSpan().CopyTo(copy));
            double bytes = Script("Write-SharedMemory -Handle $global:h -InputObject $global:b; Read-SharedMemory -Handle $global:h | Out-Null") - empty;
            table.Add("cmdlets", "Write-SharedMemory + Read-SharedMemory of a 1 MiB byte[]", Table.Time(bytes), "two memcpys " + Table.Time(twoCopies), twoCopies / bytes);
            string text = new string('x', 10 * 1024 * 1024);
            double utf8 = Measure(() => System.Text.Encoding.UTF8.GetString(System.Text.Encoding.UTF8.GetBytes(text)));
            double str = Script("Write-SharedMemory -Handle $global:h -InputObject $global:s; Read-SharedMemory -Handle $global:h | Out-Null") - empty;
            table.Add("cmdlets", "Write-SharedMemory + Read-SharedMemory of a 10 MB string", Table.Time(str), "UTF-8 encode+decode " + Table.Time(utf8), utf8 / str);
            double clixml = Script("$global:o | Export-Clixml -Path $global:file; Import-Clixml -Path $global:file | Out-Null") - empty;
            table.Add("alternative", "Export-Clixml + Import-Clixml of the 5-property object through a temp file", Table.Time(clixml), "", null);
            table.Add("cmdlets", "Write-SharedMemory + Read-SharedMemory of that object, against the temp file", Table.Time(cmdlets - empty), "temp file", clixml / (cmdlets - empty));

            using (var cleanup = PowerShell.Create())
            {
                cleanup.Runspace = runspace;
                cleanup.AddScript("Remove-SharedMemory $global:h -Confirm:$false; Remove-Item $global:file").Invoke();
            }
        }

        private static Process StartPeer(params string[] arguments)
        {
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
            info.ArgumentList.Add(Self);
            info.ArgumentList.Add("peer");
            foreach (string a in arguments) info.ArgumentList.Add(a);
            return Process.Start(info)!;
        }
    }
}
