using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using PSSharedMemory.Tests.Infrastructure;
using PSSharedMemory.TestWorker;
using Xunit;
using Xunit.Abstractions;

namespace PSSharedMemory.Tests
{
    /// <summary>
    /// Under load and under crashes, with real processes on the core. The long variants run with
    /// PSSHAREDMEMORY_CRASH_KILLS and PSSHAREDMEMORY_STRESS_SECONDS set higher than the CI defaults.
    /// </summary>
    public sealed class ReliabilityTests : WorkerTest
    {

        public ReliabilityTests(ITestOutputHelper output)
            : base(output, "rel")
        {
        }

        [Fact]
        public void A_writer_killed_at_random_points_leaves_a_whole_value_and_a_lock_the_next_writer_gets()
        {
            int kills = Setting("PSSHAREDMEMORY_CRASH_KILLS", 200);
            using var segment = SharedMemorySegment.Open(new SegmentOptions(SegmentName) { Size = 200 * 1024 });
            using (var first = segment.Lock()) first.WriteValue(PayloadKind.Bytes, CheckedPayload.Create(0, 0, 100, new Random(0)));
            var random = new Random(12345);
            int abandoned = 0, whole = 0, fromKilledWriter = 0;
            TimeSpan slowestRecovery = TimeSpan.Zero;
            for (int i = 1; i <= kills; i++)
            {
                using (var writer = StartWorker("crash-writer", SegmentName, i.ToString(CultureInfo.InvariantCulture)))
                {
                    writer.WaitForOutput("writing");
                    Thread.Sleep(random.Next(0, 25));
                    writer.Kill();
                }

                var clock = Stopwatch.StartNew();
                using LockedSegment next = segment.Lock(TimeSpan.FromSeconds(10));
                slowestRecovery = clock.Elapsed > slowestRecovery ? clock.Elapsed : slowestRecovery;
                if (next.WasAbandoned) abandoned++;
                StoredValue value = next.ReadValue() ?? throw new Xunit.Sdk.XunitException("no value after kill " + i);
                var check = CheckedPayload.Check(value.Payload);
                Assert.True(check is not null, $"kill {i}: the value is torn");
                whole++;
                if (check!.Value.Writer == i) fromKilledWriter++;
                next.WriteValue(PayloadKind.Bytes, CheckedPayload.Create(0, i, random.Next(24, 4096), random));
            }

            Output.WriteLine($"kills: {kills}, whole values after a kill: {whole}, torn: {kills - whole}, kills inside the lock (warned): {abandoned}, values last written by the killed writer: {fromKilledWriter}, slowest lock recovery: {slowestRecovery.TotalMilliseconds:F1} ms");
            Assert.Equal(kills, whole);
            Assert.True(abandoned >= kills / 5, $"only {abandoned} of {kills} kills landed inside the lock: the test no longer reaches what it means to");
        }

        [Fact]
        public void Four_processes_hammering_shared_segments_see_no_torn_or_stale_data_and_none_starves()
        {
            RunStress(processes: 4, seconds: Setting("PSSHAREDMEMORY_STRESS_SECONDS", 60));
        }

        [Fact]
        public void Sixteen_processes_can_share_one_segment()
        {
            RunStress(processes: 16, seconds: 5);
        }

        /// <summary>Runs stress workers on three shared segments and checks every figure they report.</summary>
        private void RunStress(int processes, double seconds)
        {
            using var values = SharedMemorySegment.Open(new SegmentOptions(SegmentName) { Size = 16 * 1024 * 1024 });
            using var raw = SharedMemorySegment.Open(new SegmentOptions(SegmentName + "_raw") { Size = 64 * Stress.RawSlot, Format = SegmentFormat.Raw });
            using var counter = SharedMemorySegment.Open(new SegmentOptions(SegmentName + "_count") { Size = 64 });

            var workers = Enumerable.Range(1, processes)
                .Select(id => StartWorker("stress", SegmentName, seconds.ToString(CultureInfo.InvariantCulture), id.ToString(CultureInfo.InvariantCulture), (id * 7919).ToString(CultureInfo.InvariantCulture)))
                .ToList();
            var reports = new List<Dictionary<string, long>>();
            foreach (ChildProcess worker in workers)
            {
                using (worker)
                {
                    worker.WaitForExit(TimeSpan.FromSeconds(seconds + 180));
                    Assert.True(worker.ExitCode == 0, worker.Stderr);
                    reports.Add(Regex.Matches(worker.OutputLines.Last(), @"(\w+)=(\d+)").ToDictionary(m => m.Groups[1].Value, m => long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)));
                }
            }

            long Sum(string key) => reports.Sum(r => r[key]);
            long counted;
            using (var locked = counter.Lock()) counted = BitConverter.ToInt64(locked.ReadValue()!.Payload);
            long fewest = reports.Min(r => r["ops"]);
            double mean = reports.Average(r => r["ops"]);
            Output.WriteLine($"processes: {processes}, seconds: {seconds}, operations per process: {string.Join(", ", reports.Select(r => r["ops"]))}, reads checked: {Sum("reads")}, torn: {Sum("torn")}, stale: {Sum("stale")}, lock timeouts: {Sum("timeouts")}, increments: {Sum("increments")} (counter: {counted}), values refused as too large: {Sum("refused")}, fewest operations: {fewest} ({fewest / mean:P0} of the mean)");

            Assert.Equal(0, Sum("torn"));
            Assert.Equal(0, Sum("stale"));
            Assert.Equal(0, Sum("timeouts"));
            Assert.Equal(Sum("increments"), counted);
            Assert.True(fewest >= mean / 4, $"a process starved: {fewest} operations against a mean of {mean:F0}");
        }

        private static int Setting(string variable, int fallback) =>
            int.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value > 0 ? value : fallback;
    }
}
