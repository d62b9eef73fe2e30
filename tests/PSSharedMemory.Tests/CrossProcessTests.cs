using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using PSSharedMemory.Tests.Infrastructure;
using Xunit;

namespace PSSharedMemory.Tests
{
    /// <summary>Real processes talking through real shared memory: the host program on the real engine.</summary>
    public sealed class CrossProcessTests : SegmentTest
    {
        private static readonly TimeSpan ProcessTimeout = TimeSpan.FromMinutes(3);

        public CrossProcessTests()
            : base("xp")
        {
        }

        [Fact]
        public void Another_process_writes_and_this_one_reads()
        {
            using var child = ChildProcess.RunHost($"New-SharedMemory -Name {SegmentName} -Size 65536 | Write-SharedMemory -InputObject ([pscustomobject]@{{ From = 'child'; ProcessId = $PID; Items = 1..3 }})", ProcessTimeout);
            Assert.True(child.ExitCode == 0, child.Stderr);
            var value = (PSObject)Run("Read-SharedMemory -Name $name").AssertNoErrors().Output.Single();
            Assert.Equal("child", value.Properties["From"].Value);
            Assert.Equal(child.Id, value.Properties["ProcessId"].Value);
        }

        [Fact]
        public void This_process_writes_and_another_one_reads_values_and_raw_bytes()
        {
            Run("$h = New-SharedMemory -Name $name -Size 4096; 'line one','line two' | Write-SharedMemory -Handle $h").AssertNoErrors();
            using var child = ChildProcess.RunHost($"Read-SharedMemory -Name {SegmentName}; (Read-SharedMemory -Name {SegmentName} -Offset 0 -Count 4) -join ','", ProcessTimeout);
            Assert.True(child.ExitCode == 0, child.Stderr);
            var lines = child.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("line one", lines[0]);
            Assert.Equal("line two", lines[1]);
            // Raw bytes of the data area: the start of the two-item value's location is the far end, so the first four bytes are still zero.
            Assert.Equal("0,0,0,0", lines[2]);
        }

        [Fact]
        public void Two_processes_in_different_sessions_count_exactly_with_Update()
        {
            const int PerProcess = 2000;
            Run("New-SharedMemory -Name $name -Size 4096 | Write-SharedMemory -InputObject 0").AssertNoErrors();
            string script = $"1..{PerProcess} | ForEach-Object {{ Update-SharedMemory -Name {SegmentName} -ScriptBlock {{ $_ + 1 }} }}; [IO.File]::ReadAllText('/proc/self/stat').Split(' ')[5]";
            using var a = ChildProcess.Host(script, newSession: true);
            using var b = ChildProcess.Host(script, newSession: true);
            a.WaitForExit(ProcessTimeout);
            b.WaitForExit(ProcessTimeout);
            Assert.True(a.ExitCode == 0, a.Stderr);
            Assert.True(b.ExitCode == 0, b.Stderr);

            // setsid made each the leader of a session of its own: different sessions, one lock.
            string sessionA = a.Stdout.Trim(), sessionB = b.Stdout.Trim();
            Assert.Equal(a.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), sessionA);
            Assert.Equal(b.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), sessionB);
            Assert.Equal(2 * PerProcess, Run("Read-SharedMemory -Name $name").AssertNoErrors().Single);
        }

        [Fact]
        public void A_process_killed_holding_the_lock_releases_it_and_the_waiting_writer_is_told()
        {
            Run("New-SharedMemory -Name $name -Size 4096 | Write-SharedMemory -InputObject 'before'").AssertNoErrors();
            using var child = ChildProcess.Host($"Update-SharedMemory -Name {SegmentName} -ScriptBlock {{ [Console]::Out.WriteLine('locked'); [Console]::Out.Flush(); Start-Sleep -Seconds 600 }}");
            child.WaitForOutput("locked");

            // A writer in this process waits on the lock while the owner is killed with SIGKILL.
            using PowerShell shell = PowerShell.Create();
            shell.Runspace = Ps.Runspace;
            shell.AddScript($"Write-SharedMemory -Name {SegmentName} -InputObject 'after' -TimeoutSeconds 60; Read-SharedMemory -Name {SegmentName}");
            IAsyncResult pending = shell.BeginInvoke();
            Thread.Sleep(300);
            Assert.False(pending.IsCompleted);
            child.Kill();

            var output = shell.EndInvoke(pending);
            Assert.Empty(shell.Streams.Error);
            Assert.Equal("after", output.Single().BaseObject);
            Assert.Contains(shell.Streams.Warning, w => w.Message.Contains("abandoned", StringComparison.Ordinal));
        }

        [Fact]
        public void A_writer_waiting_for_room_in_a_queue_whose_lock_was_abandoned_is_warned_once()
        {
            Run("$q = New-SharedMemory -Name $name -Size 256 -Queue; while ($q.FreeBytes -ge 24) { Write-SharedMemory $q -InputObject 'x' -NoEnd }").AssertNoErrors();
            using var child = ChildProcess.Host($"$l = (New-SharedMemory -Name {SegmentName} -OpenExisting).Lock(); [Console]::Out.WriteLine('locked'); [Console]::Out.Flush(); Start-Sleep -Seconds 600");
            child.WaitForOutput("locked");
            child.Kill();
            var r = Run("Write-SharedMemory -Name $name -InputObject 'y' -NoEnd -TimeoutSeconds 0.3");
            Assert.Equal("WriteSharedMemoryWaitTimeout,PSSharedMemory.Commands.WriteSharedMemoryCommand", r.ErrorIds);
            Assert.Single(r.Warnings, w => w.Contains("abandoned", StringComparison.Ordinal));
        }

        [Fact]
        public void A_process_killed_holding_the_lock_is_reported_to_the_next_opener()
        {
            Run("New-SharedMemory -Name $name -Size 4096 | Write-SharedMemory -InputObject 'kept'").AssertNoErrors();
            using var child = ChildProcess.Host($"Update-SharedMemory -Name {SegmentName} -ScriptBlock {{ [Console]::Out.WriteLine('locked'); [Console]::Out.Flush(); Start-Sleep -Seconds 600 }}");
            child.WaitForOutput("locked");
            child.Kill();
            var r = Run("Read-SharedMemory -Name $name").AssertNoErrors();
            Assert.Equal("kept", r.Single);
            Assert.Contains(r.Warnings, w => w.Contains("abandoned", StringComparison.Ordinal));
            Assert.Empty(Run("Read-SharedMemory -Name $name").AssertNoErrors().Warnings); // recovered once, then normal
        }

        [Fact]
        public void A_lock_held_by_another_process_times_out_here()
        {
            Run("New-SharedMemory -Name $name -Size 4096 | Out-Null").AssertNoErrors();
            using var child = ChildProcess.Host($"Update-SharedMemory -Name {SegmentName} -ScriptBlock {{ [Console]::Out.WriteLine('locked'); [Console]::Out.Flush(); Start-Sleep -Seconds 600 }}");
            child.WaitForOutput("locked");
            var r = Run("Read-SharedMemory -Name $name -TimeoutSeconds 0.5");
            Assert.Equal("ReadSharedMemoryLockTimeout,PSSharedMemory.Commands.ReadSharedMemoryCommand", r.ErrorIds);
        }
    }
}
