using System.Collections.Generic;
using System.IO;
using PSSharedMemory.Tests.Infrastructure;
using Xunit;

namespace PSSharedMemory.Tests
{
    public sealed class NewSharedMemoryTests : System.IDisposable
    {
        private const string Id = ",PSSharedMemory.Commands.NewSharedMemoryCommand";
        private readonly PowerShellSession _ps = new PowerShellSession();
        private readonly string _name = Names.Unique("new");

        public void Dispose()
        {
            _ps.Run("Get-SharedMemory | Remove-SharedMemory -Confirm:$false");
            _ps.Dispose();
            File.Delete(Names.ShmPath(_name));
            File.Delete(Names.ShmPath(_name) + "_Mutex");
        }

        private Dictionary<string, object?> Vars(params (string, object?)[] pairs)
        {
            var d = new Dictionary<string, object?> { ["name"] = _name };
            foreach (var (k, v) in pairs) d[k] = v;
            return d;
        }

        [Fact]
        public void Creates_then_opens_and_tells_which()
        {
            var first = (SharedMemorySegment)_ps.Run("New-SharedMemory -Name $name -Size 4096", Vars()).AssertNoErrors().Single!;
            Assert.True(first.Created);
            Assert.Equal(4096, first.Size);
            Assert.Equal(Names.ShmPath(_name), first.Path);
            Assert.Equal(0UL, first.Version);
            Assert.Equal(SegmentFormat.Value, first.Format);
            Assert.Equal(4096 + 128, new FileInfo(first.Path).Length);

            var second = (SharedMemorySegment)_ps.Run("New-SharedMemory $name 1024", Vars()).AssertNoErrors().Single!;
            Assert.False(second.Created);
            Assert.Equal(4096, second.Size); // an opened segment reports its real size

            var third = (SharedMemorySegment)_ps.Run("New-SharedMemory -Name $name -OpenExisting", Vars()).AssertNoErrors().Single!;
            Assert.False(third.Created);
            Assert.Equal(4096, third.Size);
        }

        [Fact]
        public void Shm_object_is_private_to_its_owner()
        {
            _ps.Run("New-SharedMemory -Name $name -Size 100", Vars()).AssertNoErrors();
            var mode = File.GetUnixFileMode(Names.ShmPath(_name));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
        }

        [Fact]
        public void CreateNew_refuses_an_existing_segment_and_changes_nothing()
        {
            _ps.Run("New-SharedMemory -Name $name -Size 64 | Write-SharedMemory -InputObject 'kept'", Vars()).AssertNoErrors();
            var r = _ps.Run("New-SharedMemory -Name $name -Size 64 -CreateNew", Vars());
            Assert.Equal("NewSharedMemoryAlreadyExists" + Id, r.ErrorIds);
            Assert.Equal(System.Management.Automation.ErrorCategory.ResourceExists, r.Errors[0].CategoryInfo.Category);
            Assert.Equal("kept", _ps.Run("Read-SharedMemory -Name $name", Vars()).AssertNoErrors().Single);
        }

        [Fact]
        public void OpenExisting_of_a_missing_name_is_ObjectNotFound()
        {
            var r = _ps.Run("New-SharedMemory -Name $name -OpenExisting", Vars());
            Assert.Equal("NewSharedMemoryNotFound" + Id, r.ErrorIds);
            Assert.Equal(System.Management.Automation.ErrorCategory.ObjectNotFound, r.Errors[0].CategoryInfo.Category);
            Assert.Equal(_name, r.Errors[0].TargetObject);
            Assert.False(File.Exists(Names.ShmPath(_name)));
        }

        [Fact]
        public void Creating_without_a_size_is_an_error()
        {
            var r = _ps.Run("New-SharedMemory -Name $name", Vars());
            Assert.Equal("NewSharedMemorySizeRequired" + Id, r.ErrorIds);
            Assert.False(File.Exists(Names.ShmPath(_name)));
        }

        [Theory]
        [InlineData("0")]
        [InlineData("-1")]
        [InlineData("[long]::MaxValue")]
        [InlineData("(1L -shl 47)")]
        public void Bad_sizes_are_refused_and_create_nothing(string size)
        {
            var r = _ps.Run($"New-SharedMemory -Name $name -Size ({size})", Vars());
            Assert.Equal("NewSharedMemorySizeInvalid" + Id, r.ErrorIds);
            Assert.Equal(System.Management.Automation.ErrorCategory.InvalidArgument, r.Errors[0].CategoryInfo.Category);
            Assert.False(File.Exists(Names.ShmPath(_name)));
        }

        [Fact]
        public void Asking_for_more_than_an_existing_segment_has_is_an_error()
        {
            _ps.Run("New-SharedMemory -Name $name -Size 100", Vars()).AssertNoErrors();
            var r = _ps.Run("New-SharedMemory -Name $name -Size 200 -OpenExisting", Vars());
            Assert.Equal("NewSharedMemorySizeExceedsExisting" + Id, r.ErrorIds);
            r = _ps.Run("New-SharedMemory -Name $name -Size 200", Vars());
            Assert.Equal("NewSharedMemorySizeExceedsExisting" + Id, r.ErrorIds);
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
        public void Bad_names_are_refused_with_the_name_as_target(string name)
        {
            var r = _ps.Run($"$n = {name}; New-SharedMemory -Name $n -Size 64; $n");
            Assert.Equal("NewSharedMemoryNameInvalid" + Id, r.ErrorIds);
            Assert.Equal(System.Management.Automation.ErrorCategory.InvalidArgument, r.Errors[0].CategoryInfo.Category);
            Assert.Equal(r.Output[0].BaseObject, r.Errors[0].TargetObject);
        }

        [Fact]
        public void Scope_prefixes_are_accepted_and_name_the_same_segment_on_Unix()
        {
            var local = (SharedMemorySegment)_ps.Run("New-SharedMemory -Name \"Local\\$name\" -Size 64", Vars()).AssertNoErrors().Single!;
            Assert.Equal(_name, local.Name);
            Assert.Equal(SegmentScope.Local, local.Scope);
            var global = (SharedMemorySegment)_ps.Run("New-SharedMemory -Name $name -Scope Global", Vars()).AssertNoErrors().Single!;
            Assert.Equal(SegmentScope.Global, global.Scope);
            Assert.False(global.Created); // Unix has one namespace

            var conflict = _ps.Run("New-SharedMemory -Name \"Local\\$name\" -Scope Global -Size 64", Vars());
            Assert.Equal("NewSharedMemoryNameInvalid" + Id, conflict.ErrorIds);
        }

        [Fact]
        public void Raw_segments_have_no_header()
        {
            var raw = (SharedMemorySegment)_ps.Run("New-SharedMemory -Name $name -Size 1000 -Raw", Vars()).AssertNoErrors().Single!;
            Assert.Equal(SegmentFormat.Raw, raw.Format);
            Assert.Null(raw.Version);
            Assert.Equal(1000, new FileInfo(raw.Path).Length);
            Assert.All(File.ReadAllBytes(raw.Path), b => Assert.Equal(0, b));

            var asValue = _ps.Run("New-SharedMemory -Name $name -OpenExisting", Vars());
            Assert.Equal("NewSharedMemoryNotAValueSegment" + Id, asValue.ErrorIds);
        }

        [Fact]
        public void File_backed_segments_are_created_with_the_size_then_opened_at_their_own()
        {
            string path = Path.Combine(Path.GetTempPath(), _name + ".bin");
            try
            {
                var created = (SharedMemorySegment)_ps.Run("New-SharedMemory -Name $name -Path $path -Size 5000", Vars(("path", path))).AssertNoErrors().Single!;
                Assert.True(created.Created);
                Assert.True(created.IsFileBacked);
                Assert.Equal(path, created.Path);
                Assert.Equal(5000 + 128, new FileInfo(path).Length);
                _ps.Run("Write-SharedMemory -Handle $h -InputObject 'on disk'", Vars(("h", created))).AssertNoErrors();
                created.Dispose();

                var opened = (SharedMemorySegment)_ps.Run("New-SharedMemory -Name $name -Path $path", Vars(("path", path))).AssertNoErrors().Single!;
                Assert.False(opened.Created);
                Assert.Equal(5000, opened.Size);
                Assert.Equal("on disk", _ps.Run("Read-SharedMemory $h", Vars(("h", opened))).AssertNoErrors().Single);

                string rawPath = path + ".raw";
                File.WriteAllBytes(rawPath, new byte[] { 1, 2, 3, 4, 5 });
                var raw = (SharedMemorySegment)_ps.Run("New-SharedMemory -Name ($name + 'r') -Path $p -Raw", Vars(("p", rawPath))).AssertNoErrors().Single!;
                Assert.Equal(5, raw.Size);
                Assert.Equal(new byte[] { 3, 4 }, (byte[])_ps.Run("Read-SharedMemory $h -Offset 2 -Count 2", Vars(("h", raw))).AssertNoErrors().Single!);
                raw.Dispose();
                File.Delete(rawPath);

                var dir = _ps.Run("New-SharedMemory -Name $name -Path $d -Size 10", Vars(("d", Path.GetTempPath())));
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
            var r = _ps.Run("$h = New-SharedMemory -Name $name -Size 64; $h.Dispose(); $h.IsClosed; Read-SharedMemory -Handle $h", Vars());
            Assert.Equal(true, r.Output[0].BaseObject);
            Assert.Equal("ReadSharedMemoryHandleClosed,PSSharedMemory.Commands.ReadSharedMemoryCommand", r.ErrorIds);
        }

        [Fact]
        public void Removing_the_module_closes_its_handles()
        {
            var r = _ps.Run("$h = New-SharedMemory -Name $name -Size 64; Remove-Module PSSharedMemory; $h.IsClosed", Vars()).AssertNoErrors();
            Assert.Equal(true, r.Single);
        }

        [Fact]
        public void Verbose_says_what_was_created()
        {
            var r = _ps.Run("New-SharedMemory -Name $name -Size 64 -Verbose | Out-Null", Vars()).AssertNoErrors();
            Assert.Contains(r.Verbose, v => v.Contains("Created segment '" + _name + "'", System.StringComparison.Ordinal));
        }
    }
}
