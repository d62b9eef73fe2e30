using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using PSSharedMemory.Tests.Infrastructure;
using Xunit;

namespace PSSharedMemory.Tests
{
    /// <summary>Queues and -Wait through the cmdlets on the real engine.</summary>
    public sealed class QueueTests : SegmentTest
    {
        private const string WriteId = ",PSSharedMemory.Commands.WriteSharedMemoryCommand";
        private const string ReadId = ",PSSharedMemory.Commands.ReadSharedMemoryCommand";

        public QueueTests()
            : base("q")
        {
        }

        [Fact]
        public void A_queue_delivers_every_message_once_in_order_with_its_payload_kind()
        {
            var r = Run(@"
                $q = New-SharedMemory -Name $name -Size 64KB -Queue; $q.Kind
                (New-SharedMemory -Name $name -OpenExisting).Kind
                1..100 | Write-SharedMemory -Name $name
                $q.MessageCount
                (Read-SharedMemory -Name $name) -join ','
                $q.MessageCount
                Write-SharedMemory $q -InputObject ([byte[]](1,2,3)) -NoEnd
                Write-SharedMemory $q -InputObject 'text' -NoEnd
                Write-SharedMemory $q -InputObject ([pscustomobject]@{ A = 7 })
                $all = Read-SharedMemory $q
                $all[0].GetType().Name; $all[1]; $all[2].A").AssertNoErrors();
            Assert.Equal(new object[] { SegmentKind.Queue, SegmentKind.Queue, 101L, string.Join(",", Enumerable.Range(1, 100)), 0L, "Byte[]", "text", 7 }, r.Output.Select(o => o.BaseObject));
        }

        [Fact]
        public void Get_SharedMemory_shows_the_count_and_the_free_bytes()
        {
            var r = Run("$q = New-SharedMemory -Name $name -Size 4096 -Queue; 'a','b' | Write-SharedMemory $q -NoEnd; $h = Get-SharedMemory -Name $name; $h.MessageCount; $h.FreeBytes").AssertNoErrors();
            Assert.Equal(2L, r.Output[0].BaseObject);
            Assert.InRange((long)r.Output[1].BaseObject, 4096 - 200, 4096 - 32);
        }

        [Fact]
        public void A_message_larger_than_the_ring_is_refused_and_changes_nothing()
        {
            var r = Run("$q = New-SharedMemory -Name $name -Size 1024 -Queue; Write-SharedMemory $q -InputObject 'kept' -NoEnd; Write-SharedMemory $q -InputObject ([byte[]]::new(2000)) -NoEnd; $q.MessageCount; Read-SharedMemory $q");
            Assert.Equal("WriteSharedMemoryValueTooLarge" + WriteId, r.ErrorIds);
            Assert.Equal(new object[] { 1L, "kept" }, r.Output.Select(o => o.BaseObject));
        }

        [Fact]
        public void Value_operations_on_a_queue_are_refused()
        {
            var r = Run("New-SharedMemory -Name $name -Size 1024 -Queue | Update-SharedMemory -ScriptBlock { 1 }");
            Assert.Equal("UpdateSharedMemoryWrongKind,PSSharedMemory.Commands.UpdateSharedMemoryCommand", r.ErrorIds);
            Assert.Equal("NewSharedMemoryQueueNeedsHeader,PSSharedMemory.Commands.NewSharedMemoryCommand", Run("New-SharedMemory -Name x -Size 64 -Queue -Raw").ErrorIds);
        }

        [Fact]
        public void A_full_queue_makes_the_writer_wait_and_a_reader_lets_it_resume()
        {
            Run("New-SharedMemory -Name $name -Size 512 -Queue | Out-Null").AssertNoErrors();
            using var producer = new PowerShellSession();
            using PowerShell produce = PowerShell.Create();
            produce.Runspace = producer.Runspace;
            produce.AddScript($"1..50 | ForEach-Object {{ 'message {{0:D3}} {{1}}' -f $_, ('x' * 60) }} | Write-SharedMemory -Name {SegmentName}");
            IAsyncResult writing = produce.BeginInvoke();
            Thread.Sleep(1000);
            Assert.False(writing.IsCompleted, "the producer should be waiting on the full queue");

            var r = Run("Read-SharedMemory -Name $name -Wait -TimeoutSeconds 30").AssertNoErrors();
            produce.EndInvoke(writing);
            Assert.Empty(produce.Streams.Error);
            Assert.Equal(Enumerable.Range(1, 50).Select(i => $"message {i:D3} {new string('x', 60)}"), r.Output.Select(o => (string)o.BaseObject));
        }

        [Fact]
        public void A_queue_that_stays_full_times_out_without_enqueuing()
        {
            var r = Run("$global:q = New-SharedMemory -Name $name -Size 256 -Queue; 1..100 | Write-SharedMemory $q -TimeoutSeconds 0.3 -NoEnd");
            r.Output.AddRange(Run("$global:q.MessageCount").Output);
            Assert.Equal("WriteSharedMemoryWaitTimeout" + WriteId, r.ErrorIds); // terminating: no hole in the stream
            long count = (long)r.Output.Last().BaseObject;
            Assert.InRange(count, 1, 10);
        }

        [Fact]
        public void Wait_on_an_open_stream_times_out_after_the_messages()
        {
            var r = Run("$q = New-SharedMemory -Name $name -Size 4096 -Queue; 'a','b' | Write-SharedMemory $q -NoEnd; Read-SharedMemory $q -Wait -TimeoutSeconds 0.3");
            Assert.Equal(new object[] { "a", "b" }, r.Output.Select(o => o.BaseObject));
            Assert.Equal("ReadSharedMemoryWaitTimeout" + ReadId, r.ErrorIds);
            Assert.Equal(ErrorCategory.OperationTimeout, r.Errors[0].CategoryInfo.Category);
        }

        [Fact]
        public void Wait_on_a_value_returns_the_next_write_of_another_process()
        {
            Run("$global:h = New-SharedMemory -Name $name -Size 4096 | Write-SharedMemory -InputObject 'old' -PassThru; Read-SharedMemory $global:h | Out-Null").AssertNoErrors();
            using PowerShell wait = PowerShell.Create();
            wait.Runspace = Ps.Runspace;
            wait.AddScript("Read-SharedMemory $global:h -Wait -TimeoutSeconds 60");
            IAsyncResult pending = wait.BeginInvoke();
            Thread.Sleep(500);
            Assert.False(pending.IsCompleted);
            using var writer = ChildProcess.RunHost($"Write-SharedMemory -Name {SegmentName} -InputObject 'new'", ChildProcess.DefaultTimeout);
            Assert.Equal("new", wait.EndInvoke(pending).Single().BaseObject);

            var since = Run("Write-SharedMemory $global:h -InputObject 'newer'; Read-SharedMemory $global:h -Wait -Since 1 -TimeoutSeconds 5; Read-SharedMemory $global:h -Wait -TimeoutSeconds 0.2").Output;
            Assert.Equal("newer", since.Single().BaseObject);
        }

        [Fact]
        public void Stopping_the_pipeline_ends_a_wait_at_once()
        {
            Run("New-SharedMemory -Name $name -Size 4096 -Queue | Out-Null").AssertNoErrors();
            AssertStopsPromptly($"Read-SharedMemory -Name {SegmentName} -Wait");
        }
    }
}
