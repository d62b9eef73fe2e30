using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using PSSharedMemory.Tests.Infrastructure;
using Xunit;

namespace PSSharedMemory.Tests
{
    /// <summary>Write-Progress for large values, and Ctrl+C in the middle of copying one.</summary>
    public sealed class ProgressTests : SegmentTest
    {
        private const int Large = 256 << 20;

        public ProgressTests()
            : base("prog")
        {
        }

        /// <summary>Runs a script on the test's runspace, collecting its progress records; optionally pressing Ctrl+C at the first one.</summary>
        private (List<ProgressRecord> Progress, PSInvocationState State) RunWithProgress(string script, bool stopAtFirstProgress)
        {
            using PowerShell shell = PowerShell.Create();
            shell.Runspace = Ps.Runspace;
            shell.AddScript(script);
            var progress = new List<ProgressRecord>();
            System.Threading.Thread? stopper = null;
            shell.Streams.Progress.DataAdded += (sender, e) =>
            {
                ProgressRecord record = ((PSDataCollection<ProgressRecord>)sender!)[e.Index];
                progress.Add(record);
                if (stopAtFirstProgress && progress.Count == 1)
                {
                    // Ctrl+C comes from another thread: one of its own, since a thread-pool task waited behind
                    // the suite's other work long enough for a whole 256 MiB copy to finish first. The copy waits
                    // here until the stop has begun, which takes microseconds; the rest of the copy takes tens of
                    // milliseconds.
                    stopper = new System.Threading.Thread(() => shell.Stop()) { IsBackground = true };
                    stopper.Start();
                    var waiting = System.Diagnostics.Stopwatch.StartNew();
                    while (shell.InvocationStateInfo.State != PSInvocationState.Stopping && waiting.Elapsed < TimeSpan.FromSeconds(10)) System.Threading.Thread.Sleep(1);
                }
            };
            try
            {
                shell.Invoke();
            }
            catch (PipelineStoppedException)
            {
                // How the stop shows depends on where it lands; the state below tells in every case.
            }

            // Stop returns once the pipeline has stopped; the shell must outlive it.
            stopper?.Join();
            return (progress, shell.InvocationStateInfo.State);
        }

        [Fact]
        public void A_large_value_shows_progress_in_bytes_both_ways_and_a_small_one_none()
        {
            Run("$global:h = New-SharedMemory -Name $name -Size 600MB; $global:big = [byte[]]::new(" + Large + "); $global:big[-1] = 7").AssertNoErrors();
            var (written, state) = RunWithProgress("Write-SharedMemory -Handle $global:h -InputObject $global:big", stopAtFirstProgress: false);
            Assert.Equal(PSInvocationState.Completed, state);
            var percents = written.Where(p => p.RecordType == ProgressRecordType.Processing).Select(p => p.PercentComplete).ToList();
            Assert.True(percents.Count >= 10, $"{percents.Count} progress records");
            Assert.Equal(percents.OrderBy(p => p), percents);
            Assert.Equal(100, percents[^1]);
            Assert.Equal(ProgressRecordType.Completed, written[^1].RecordType);
            Assert.Contains("Writing a value to segment '" + SegmentName + "'", written[0].Activity, StringComparison.Ordinal);
            Assert.Matches(@"^\d+ MiB of 256 MiB \(\d+ %\)$", written[0].StatusDescription);

            var (read, readState) = RunWithProgress("$global:back = Read-SharedMemory -Handle $global:h", stopAtFirstProgress: false);
            Assert.Equal(PSInvocationState.Completed, readState);
            Assert.Contains(read, p => p.Activity.StartsWith("Reading the value", StringComparison.Ordinal) && p.PercentComplete == 100);
            Assert.Equal(new object[] { Large, (byte)7 }, Run("$global:back.Length; $global:back[-1]").Output.Select(o => o.BaseObject));

            var (small, _) = RunWithProgress("Write-SharedMemory -Handle $global:h -InputObject ([byte[]]::new(1MB)); Read-SharedMemory -Handle $global:h | Out-Null", stopAtFirstProgress: false);
            Assert.Empty(small);
        }

        [Fact]
        public void Ctrl_C_while_a_large_value_is_copied_in_leaves_the_old_value_whole()
        {
            Run("$global:h = New-SharedMemory -Name $name -Size 600MB; Write-SharedMemory -Handle $global:h -InputObject 'old'; $global:big = [byte[]]::new(" + Large + ")").AssertNoErrors();
            var (progress, state) = RunWithProgress("Write-SharedMemory -Handle $global:h -InputObject $global:big", stopAtFirstProgress: true);
            Assert.Equal(PSInvocationState.Stopped, state);
            Assert.True(progress.Max(p => p.PercentComplete) < 100, "the stop came after the copy had finished, so it proves nothing");
            Assert.Equal(new object[] { "old", 1UL }, Run("Read-SharedMemory -Handle $global:h; $global:h.Version").AssertNoErrors().Output.Select(o => o.BaseObject));
            Assert.Equal(3L, Run("$global:h.UsedBytes").Single);
        }

        [Fact]
        public void Ctrl_C_while_a_large_value_is_copied_out_outputs_nothing_and_changes_nothing()
        {
            Run("$global:h = New-SharedMemory -Name $name -Size 600MB; Write-SharedMemory -Handle $global:h -InputObject ([byte[]]::new(" + Large + "))").AssertNoErrors();
            var (progress, state) = RunWithProgress("$global:got = Read-SharedMemory -Handle $global:h", stopAtFirstProgress: true);
            Assert.Equal(PSInvocationState.Stopped, state);
            Assert.True(progress.Max(p => p.PercentComplete) < 100, "the stop came after the copy had finished, so it proves nothing");
            Assert.Equal(new object?[] { null, (long)Large, 1UL }, Run("$global:got; $global:h.UsedBytes; $global:h.Version").AssertNoErrors().Output.Select(o => o?.BaseObject));
        }
    }
}
