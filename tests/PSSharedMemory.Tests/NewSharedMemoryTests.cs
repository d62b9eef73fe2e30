using System;
using System.Linq;
using System.Management.Automation;
using System.Collections.Generic;
using System.IO;
using PSSharedMemory.Tests.Infrastructure;
using Xunit;

namespace PSSharedMemory.Tests
{
    public sealed class NewSharedMemoryTests : SegmentTest
    {
        private const string Id = ",PSSharedMemory.Commands.NewSharedMemoryCommand";

        public NewSharedMemoryTests()
            : base("new")
        {
        }

        [Fact]
        public void Creates_then_opens_and_tells_which()
        {
            var first = (SharedMemorySegment)Run("New-SharedMemory -Name $name -Size 4096").AssertNoErrors().Single!;
            Assert.True(first.Created);
            Assert.Equal(4096, first.Size);
            Assert.Equal(Names.ShmPath(SegmentName), first.Path);
            Assert.Equal(0UL, first.Version);
            Assert.Equal(SegmentFormat.Value, first.Format);
            Assert.Equal(4096 + 128, new FileInfo(first.Path).Length);

            var second = (SharedMemorySegment)Run("New-SharedMemory $name 1024").AssertNoErrors().Single!;
            Assert.False(second.Created);
            Assert.Equal(4096, second.Size); // an opened segment reports its real size

            var third = (SharedMemorySegment)Run("New-SharedMemory -Name $name -OpenExisting").AssertNoErrors().Single!;
            Assert.False(third.Created);
            Assert.Equal(4096, third.Size);
        }

        [Fact]
        public void Shm_object_is_private_to_its_owner()
        {
            Run("New-SharedMemory -Name $name -Size 100").AssertNoErrors();
            var mode = File.GetUnixFileMode(Names.ShmPath(SegmentName));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
        }

        [Fact]
        public void CreateNew_refuses_an_existing_segment_and_changes_nothing()
        {
            Run("New-SharedMemory -Name $name -Size 64 | Write-SharedMemory -InputObject 'kept'").AssertNoErrors();
            var r = Run("New-SharedMemory -Name $name -Size 64 -CreateNew");
            Assert.Equal("NewSharedMemoryAlreadyExists" + Id, r.ErrorIds);
            Assert.Equal(System.Management.Automation.ErrorCategory.ResourceExists, r.Errors[0].CategoryInfo.Category);
            Assert.Equal("kept", Run("Read-SharedMemory -Name $name").AssertNoErrors().Single);
        }

        [Fact]
        public void OpenExisting_of_a_missingSegmentName_is_ObjectNotFound()
        {
            var r = Run("New-SharedMemory -Name $name -OpenExisting");
            Assert.Equal("NewSharedMemoryNotFound" + Id, r.ErrorIds);
            Assert.Equal(System.Management.Automation.ErrorCategory.ObjectNotFound, r.Errors[0].CategoryInfo.Category);
            Assert.Equal(SegmentName, r.Errors[0].TargetObject);
            Assert.False(File.Exists(Names.ShmPath(SegmentName)));
        }

        [Fact]
        public void Creating_without_a_size_is_an_error()
        {
            var r = Run("New-SharedMemory -Name $name");
            Assert.Equal("NewSharedMemorySizeRequired" + Id, r.ErrorIds);
            Assert.False(File.Exists(Names.ShmPath(SegmentName)));
        }

        [Theory]
        [InlineData("0")]
        [InlineData("-1")]
        [InlineData("[long]::MaxValue")]
        [InlineData("(1L -shl 47)")]
        public void Bad_sizes_are_refused_and_create_nothing(string size)
        {
            var r = Run($"New-SharedMemory -Name $name -Size ({size})");
            Assert.Equal("NewSharedMemorySizeInvalid" + Id, r.ErrorIds);
            Assert.Equal(System.Management.Automation.ErrorCategory.InvalidArgument, r.Errors[0].CategoryInfo.Category);
            Assert.False(File.Exists(Names.ShmPath(SegmentName)));
        }

        [Fact]
        public void Asking_for_more_than_an_existing_segment_has_is_an_error()
        {
            Run("New-SharedMemory -Name $name -Size 100").AssertNoErrors();
            var r = Run("New-SharedMemory -Name $name -Size 200 -OpenExisting");
            Assert.Equal("NewSharedMemorySizeExceedsExisting" + Id, r.ErrorIds);
            r = Run("New-SharedMemory -Name $name -Size 200");
            Assert.Equal("NewSharedMemorySizeExceedsExisting" + Id, r.ErrorIds);
        }

        [Fact]
        public void The_checksum_is_chosen_at_creation_and_a_different_one_is_refused_on_open()
        {
            var r = Run("(New-SharedMemory -Name $name -Size 100).Checksum; (New-SharedMemory -Name $name).Checksum; (New-SharedMemory -Name $name -Checksum LaneSum).Checksum").AssertNoErrors();
            Assert.Equal(new object[] { ChecksumAlgorithm.LaneSum, ChecksumAlgorithm.LaneSum, ChecksumAlgorithm.LaneSum }, r.Output.Select(o => o.BaseObject));
            r = Run("New-SharedMemory -Name $name -Checksum Crc32");
            Assert.Equal("NewSharedMemoryChecksumDiffers" + Id, r.ErrorIds);
            Assert.Equal(ErrorCategory.InvalidArgument, r.Errors[0].CategoryInfo.Category);
            Assert.Contains("LaneSum", r.Errors[0].Exception.Message, StringComparison.Ordinal);
            Assert.Empty(r.Output);

            r = Run("New-SharedMemory -Name ($name + 'r') -Size 100 -Raw -Checksum Crc32");
            Assert.Equal("NewSharedMemoryChecksumNeedsHeader" + Id, r.ErrorIds);
            Assert.False(File.Exists(Names.ShmPath(SegmentName + "r")));
        }

        [Theory]
        [InlineData("''")]
        [InlineData("'   '")]
        [InlineData("'a/b'")]
        [InlineData("'a\\b'")]
        [InlineData("\"a`0b\"")]
        [InlineData("'Local\\'")]
        [InlineData("'x' * 300")]
        [InlineData("'..'")]
        public void BadSegmentNames_are_refused_with_theSegmentName_as_target(string name)
        {
            var r = Run($"$n = {name}; New-SharedMemory -Name $n -Size 64; $n");
            Assert.Equal("NewSharedMemoryNameInvalid" + Id, r.ErrorIds);
            Assert.Equal(System.Management.Automation.ErrorCategory.InvalidArgument, r.Errors[0].CategoryInfo.Category);
            Assert.Equal(r.Output[0].BaseObject, r.Errors[0].TargetObject);
        }

        [Fact]
        public void Scope_prefixes_are_accepted_andSegmentName_the_same_segment_on_Unix()
        {
            var local = (SharedMemorySegment)Run("New-SharedMemory -Name \"Local\\$name\" -Size 64").AssertNoErrors().Single!;
            Assert.Equal(SegmentName, local.Name);
            Assert.Equal(SegmentScope.Local, local.Scope);
            var global = (SharedMemorySegment)Run("New-SharedMemory -Name $name -Scope Global").AssertNoErrors().Single!;
            Assert.Equal(SegmentScope.Global, global.Scope);
            Assert.False(global.Created); // Unix has one namespace

            var conflict = Run("New-SharedMemory -Name \"Local\\$name\" -Scope Global -Size 64");
            Assert.Equal("NewSharedMemoryNameInvalid" + Id, conflict.ErrorIds);
        }

        [Fact]
        public void Raw_segments_have_no_header()
        {
            var raw = (SharedMemorySegment)Run("New-SharedMemory -Name $name -Size 1000 -Raw").AssertNoErrors().Single!;
            Assert.Equal(SegmentFormat.Raw, raw.Format);
            Assert.Null(raw.Version);
            Assert.Equal(1000, new FileInfo(raw.Path).Length);
            Assert.All(File.ReadAllBytes(raw.Path), b => Assert.Equal(0, b));

            var asValue = Run("New-SharedMemory -Name $name -OpenExisting");
            Assert.Equal("NewSharedMemoryNotAValueSegment" + Id, asValue.ErrorIds);
        }

        [Fact]
        public void File_backed_segments_are_created_with_the_size_then_opened_at_their_own()
        {
            string path = Path.Combine(Path.GetTempPath(), SegmentName + ".bin");
            try
            {
                var created = (SharedMemorySegment)Run("New-SharedMemory -Name $name -Path $path -Size 5000", ("path", path)).AssertNoErrors().Single!;
                Assert.True(created.Created);
                Assert.True(created.IsFileBacked);
                Assert.Equal(path, created.Path);
                Assert.Equal(5000 + 128, new FileInfo(path).Length);
                Run("Write-SharedMemory -Handle $h -InputObject 'on disk'", ("h", created)).AssertNoErrors();
                created.Dispose();

                var opened = (SharedMemorySegment)Run("New-SharedMemory -Name $name -Path $path", ("path", path)).AssertNoErrors().Single!;
                Assert.False(opened.Created);
                Assert.Equal(5000, opened.Size);
                Assert.Equal("on disk", Run("Read-SharedMemory $h", ("h", opened)).AssertNoErrors().Single);

                string rawPath = path + ".raw";
                File.WriteAllBytes(rawPath, new byte[] { 1, 2, 3, 4, 5 });
                var raw = (SharedMemorySegment)Run("New-SharedMemory -Name ($name + 'r') -Path $p -Raw", ("p", rawPath)).AssertNoErrors().Single!;
                Assert.Equal(5, raw.Size);
                Assert.Equal(new byte[] { 3, 4 }, (byte[])Run("Read-SharedMemory $h -Offset 2 -Count 2", ("h", raw)).AssertNoErrors().Single!);
                raw.Dispose();
                File.Delete(rawPath);

                var dir = Run("New-SharedMemory -Name $name -Path $d -Size 10", ("d", Path.GetTempPath()));
                Assert.Equal("NewSharedMemoryFileInvalid" + Id, dir.ErrorIds);
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public void Handles_are_disposable_and_a_closed_handle_is_refused()
        {
            var r = Run("$h = New-SharedMemory -Name $name -Size 64; $h.Dispose(); $h.IsClosed; Read-SharedMemory -Handle $h");
            Assert.Equal(true, r.Output[0].BaseObject);
            Assert.Equal("ReadSharedMemoryHandleClosed,PSSharedMemory.Commands.ReadSharedMemoryCommand", r.ErrorIds);
        }

        [Fact]
        public void Removing_the_module_closes_its_handles()
        {
            var r = Run("$h = New-SharedMemory -Name $name -Size 64; Remove-Module PSSharedMemory; $h.IsClosed").AssertNoErrors();
            Assert.Equal(true, r.Single);
        }

        [Fact]
        public void Verbose_says_what_was_created()
        {
            var r = Run("New-SharedMemory -Name $name -Size 64 -Verbose | Out-Null").AssertNoErrors();
            Assert.Contains(r.Verbose, v => v.Contains("Created segment '" + SegmentName + "'", System.StringComparison.Ordinal));
        }
    }
}
