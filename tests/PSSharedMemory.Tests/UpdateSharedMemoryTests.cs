using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using PSSharedMemory.Tests.Infrastructure;
using Xunit;

namespace PSSharedMemory.Tests
{
    public sealed class UpdateSharedMemoryTests : SegmentTest
    {
        private const string Id = ",PSSharedMemory.Commands.UpdateSharedMemoryCommand";

        public UpdateSharedMemoryTests()
            : base("upd")
        {
        }

        [Fact]
        public void The_block_gets_the_value_as_dollar_underscore_and_as_its_argument_and_its_output_is_stored()
        {
            var r = Run(@"
                $h = New-SharedMemory -Name $name -Size 4096
                Update-SharedMemory -Handle $h -ScriptBlock { if ($null -eq $_) { 1 } else { $_ + 1 } }
                Update-SharedMemory -Name $name -ScriptBlock { param($current) $current * 10 }
                1..3 | ForEach-Object { Update-SharedMemory -Name $name -ScriptBlock { $_ + 1 } }
                Read-SharedMemory $h").AssertNoErrors();
            Assert.Equal(13, r.Single);
        }

        [Fact]
        public void A_block_that_throws_stores_nothing_and_reports_the_error()
        {
            var r = Run(@"
                $h = New-SharedMemory -Name $name -Size 4096 | Write-SharedMemory -InputObject 5 -PassThru
                Update-SharedMemory -Handle $h -ScriptBlock { throw 'no thanks' }
                Read-SharedMemory $h; $h.Version");
            Assert.Equal("UpdateSharedMemoryScriptBlockFailed" + Id, r.ErrorIds);
            Assert.Contains("no thanks", r.Errors[0].Exception.Message, System.StringComparison.Ordinal);
            Assert.Equal(new object[] { 5, 1UL }, r.Output.Select(o => o.BaseObject));
        }

        [Fact]
        public void A_block_with_no_output_leaves_the_value()
        {
            var r = Run("$h = New-SharedMemory -Name $name -Size 4096 | Write-SharedMemory -InputObject 'x' -PassThru; Update-SharedMemory $h { }; Read-SharedMemory $h; $h.Version").AssertNoErrors();
            Assert.Equal(new object[] { "x", 1UL }, r.Output.Select(o => o.BaseObject));
        }

        [Fact]
        public void A_nested_call_on_the_same_segment_is_refused_instead_of_deadlocking()
        {
            var r = Run("$h = New-SharedMemory -Name $name -Size 4096 | Write-SharedMemory -InputObject 1 -PassThru; Update-SharedMemory $h { Read-SharedMemory -Name $name; 2 }; Read-SharedMemory $h");
            Assert.Contains("ReadSharedMemoryLockReentered,PSSharedMemory.Commands.ReadSharedMemoryCommand", r.ErrorIds, System.StringComparison.Ordinal);
            Assert.Equal(ErrorCategory.DeadlockDetected, r.Errors[0].CategoryInfo.Category);
            Assert.Equal(2, r.Output.Last().BaseObject);
        }

        [Fact]
        public void PassThru_emits_the_handle()
        {
            var r = Run("New-SharedMemory -Name $name -Size 4096 | Update-SharedMemory -ScriptBlock { 'v' } -PassThru | Read-SharedMemory").AssertNoErrors();
            Assert.Equal("v", r.Single);
        }

        [Fact]
        public void Updating_a_raw_segment_is_refused()
        {
            var r = Run("New-SharedMemory -Name $name -Size 64 -Raw | Update-SharedMemory -ScriptBlock { 1 }");
            Assert.Equal("UpdateSharedMemoryNotAValueSegment" + Id, r.ErrorIds);
        }

        [Fact]
        public void Objects_are_updated_in_place()
        {
            var r = Run(@"
                New-SharedMemory -Name $name -Size 65536 | Write-SharedMemory -InputObject ([pscustomobject]@{ Done = 0; Items = @() })
                Update-SharedMemory -Name $name { $_.Done++; $_.Items += 'a'; $_ }
                Update-SharedMemory -Name $name { $_.Done++; $_.Items += 'b'; $_ }
                $v = Read-SharedMemory -Name $name; $v.Done; $v.Items -join ','").AssertNoErrors();
            Assert.Equal(new object[] { 2, "a,b" }, r.Output.Select(o => o.BaseObject));
        }
    }
}
