using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using PSSharedMemory.Tests.Infrastructure;
using Xunit;

namespace PSSharedMemory.Tests
{
    public sealed class GetRemoveSharedMemoryTests : SegmentTest
    {
        private const string RemoveId = ",PSSharedMemory.Commands.RemoveSharedMemoryCommand";

        public GetRemoveSharedMemoryTests()
            : base("rm")
        {
        }

        [Fact]
        public void Get_lists_the_handles_of_this_session_with_wildcards()
        {
            var r = Run("New-SharedMemory -Name $name -Size 64 | Out-Null; New-SharedMemory -Name ($name + '2') -Size 64 | Out-Null; (Get-SharedMemory).Count; (Get-SharedMemory -Name ($name + '*')).Name; (Get-SharedMemory -Name nomatch*).Count").AssertNoErrors();
            Assert.Equal(new object[] { 2, SegmentName, SegmentName + "2", 0 }, r.Output.Select(o => o.BaseObject));

            using var other = new PowerShellSession();
            Assert.Equal(0, other.Run("(Get-SharedMemory).Count").AssertNoErrors().Single);
        }

        [Fact]
        public void Handles_show_as_a_table_of_name_kind_size_used_messages_version_created_and_path()
        {
            var r = Run("New-SharedMemory -Name $name -Size 4096 | Write-SharedMemory -InputObject 'abc'; New-SharedMemory -Name ($name + '2') -Size 8192 -Queue | Write-SharedMemory -InputObject 'm' -NoEnd; Get-SharedMemory | Out-String -Width 200").AssertNoErrors();
            string[] lines = ((string)r.Single!).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.Matches(@"^Name\s+Kind\s+Size\s+Used\s+Messages\s+Version\s+Created\s+Path$", lines[0]);
            string today = DateTime.Now.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            Assert.Matches($@"^{SegmentName}\s+Value\s+4096\s+3\s+1\s+{today} \d\d:\d\d:\d\d\s+/dev/shm/{SegmentName}$", lines[2]);
            // One message of 1 byte: a 16-byte record header and the payload padded to 8.
            Assert.Matches($@"^{SegmentName}2\s+Queue\s+8192\s+24\s+1\s+0\s+{today} ", lines[3]);
        }

        [Fact]
        public void Format_List_shows_everything_about_a_handle()
        {
            var r = Run("New-SharedMemory -Name $name -Size 4096 -Checksum Crc32 | Write-SharedMemory -InputObject 'abc' -PassThru | Format-List | Out-String -Width 200").AssertNoErrors();
            string text = (string)r.Single!;
            foreach (string line in new[] { "Name *: " + SegmentName, "Kind *: Value", "Checksum *: Crc32", "Size *: 4096", "UsedBytes *: 3", "Version *: 1", "WaitSpin *: 00:00:00.0000500", "IsClosed *: False", "Path *: /dev/shm/" + SegmentName })
            {
                Assert.Matches("(?m)^" + line.Replace("*", @"\s*", StringComparison.Ordinal) + @"\s*$", text);
            }
        }

        [Fact]
        public void ListAvailable_finds_segments_on_the_machine_with_their_format()
        {
            var r = Run("New-SharedMemory -Name $name -Size 300 | Write-SharedMemory -InputObject 'x'; New-SharedMemory -Name ($name + '2') -Size 50 -Raw | Out-Null; Get-SharedMemory -ListAvailable -Name ($name + '*')").AssertNoErrors();
            var found = r.Output.Select(o => (ExistingSegment)o.BaseObject).ToList();
            Assert.Equal(2, found.Count);
            Assert.Equal(SegmentFormat.Value, found[0].Format);
            Assert.Equal(300, found[0].Size);
            Assert.Equal(1UL, found[0].Version);
            Assert.Equal(SegmentFormat.Raw, found[1].Format);
            Assert.Equal(50, found[1].Size);
            Assert.DoesNotContain(found, s => s.Name.EndsWith("_Mutex", System.StringComparison.Ordinal));
        }

        [Fact]
        public void Remove_unlinks_the_segment_and_its_lock_and_closes_the_handle()
        {
            var r = Run("$h = New-SharedMemory -Name $name -Size 64; Remove-SharedMemory $h -Confirm:$false -Verbose; $h.IsClosed").AssertNoErrors();
            Assert.Equal(true, r.Single);
            Assert.Contains(r.Verbose, v => v.Contains("Removed segment", System.StringComparison.Ordinal));
            Assert.False(File.Exists(Names.ShmPath(SegmentName)));
            Assert.False(File.Exists(Names.ShmPath(SegmentName) + "_Mutex"));
            Assert.True((bool)Run("(New-SharedMemory -Name $name -Size 64).Created").AssertNoErrors().Single!);
        }

        [Fact]
        public void WhatIf_changes_nothing()
        {
            var r = Run("$h = New-SharedMemory -Name $name -Size 64; Remove-SharedMemory $h -WhatIf; $h.IsClosed").AssertNoErrors();
            Assert.Equal(false, r.Single);
            Assert.True(File.Exists(Names.ShmPath(SegmentName)));
        }

        [Fact]
        public void Remove_bySegmentName_and_from_the_pipeline_of_ListAvailable()
        {
            Run("New-SharedMemory -Name $name -Size 64 | Out-Null; New-SharedMemory -Name ($name + '2') -Size 64 -Raw | Out-Null").AssertNoErrors();
            using (var other = new PowerShellSession())
            {
                other.Run("Remove-SharedMemory -Name $n -Confirm:$false", new Dictionary<string, object?> { ["n"] = SegmentName }).AssertNoErrors();
                other.Run("Get-SharedMemory -ListAvailable -Name $n | Remove-SharedMemory -Confirm:$false", new Dictionary<string, object?> { ["n"] = SegmentName + "2" }).AssertNoErrors();
            }

            Assert.False(File.Exists(Names.ShmPath(SegmentName)));
            Assert.False(File.Exists(Names.ShmPath(SegmentName + "2")));
            // This session still had a handle to the removed segment: the first removal closes it, the second finds nothing.
            Run("Remove-SharedMemory -Name $name -Confirm:$false").AssertNoErrors();
            var missing = Run("Remove-SharedMemory -Name $name -Confirm:$false");
            Assert.Equal("RemoveSharedMemoryNotFound" + RemoveId, missing.ErrorIds);
        }

        [Fact]
        public void A_handle_open_elsewhere_keeps_working_on_the_old_memory_after_removal()
        {
            using var other = new PowerShellSession();
            var vars = new Dictionary<string, object?> { ["name"] = SegmentName };
            other.Run("$global:h = New-SharedMemory -Name $name -Size 64; Write-SharedMemory $h -InputObject 'old'", vars).AssertNoErrors();
            Run("Remove-SharedMemory -Name $name -Confirm:$false").AssertNoErrors();
            Run("New-SharedMemory -Name $name -Size 64 | Write-SharedMemory -InputObject 'new'").AssertNoErrors();
            Assert.Equal("old", other.Run("Read-SharedMemory $global:h", vars).AssertNoErrors().Single);
            Assert.Equal("new", Run("Read-SharedMemory -Name $name").AssertNoErrors().Single);
        }
    }
}
