using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using PSSharedMemory.Tests.Infrastructure;
using Xunit;

namespace PSSharedMemory.Tests
{
    /// <summary>Names, files and payloads from someone else: each gets a clear error or a well-defined object.</summary>
    public sealed class HostileInputTests : SegmentTest
    {
        private const string ReadId = ",PSSharedMemory.Commands.ReadSharedMemoryCommand";

        public HostileInputTests()
            : base("host")
        {
        }

        [Theory]
        [InlineData("'../x'")]
        [InlineData("'x/../../etc/passwd'")]
        [InlineData("'..\\x'")]
        [InlineData("\"a`tb\"")]
        [InlineData("\"a`nb\"")]
        [InlineData("\"a$([char]0x7f)b\"")]
        [InlineData("\"a$([char]0x1b)[31mred\"")]
        public void Names_that_would_leave_the_namespace_or_hide_characters_are_refused(string name)
        {
            var r = Run($"New-SharedMemory -Name ({name}) -Size 64");
            Assert.Equal("NewSharedMemoryNameInvalid,PSSharedMemory.Commands.NewSharedMemoryCommand", r.ErrorIds);
            Assert.False(File.Exists("/dev/x"));
            Assert.False(File.Exists("/etc/passwd_Mutex"));
        }

        [Fact]
        public void Names_differing_only_in_case_are_different_segments_on_Linux()
        {
            var r = Run("(New-SharedMemory -Name ($name + 'r') -Size 64).Created; (New-SharedMemory -Name ($name.ToUpperInvariant() + 'R') -Size 64).Created").AssertNoErrors();
            Assert.Equal(new object[] { true, true }, r.Output.Select(o => o.BaseObject));
            Names.DeleteSegment(SegmentName.ToUpperInvariant() + "R");
        }

        [Fact]
        public void A_file_backed_queue_truncated_by_another_process_is_reported_by_a_take_which_has_no_lock()
        {
            string path = Path.Combine(Path.GetTempPath(), SegmentName + "2.bin");
            try
            {
                Run("$global:fq = New-SharedMemory -Name ($name + '2') -Path $p -Size 65536 -Queue; 'a', 'b' | Write-SharedMemory $global:fq -NoEnd", ("p", path)).AssertNoErrors();
                using (var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite)) file.SetLength(10);

                var r = Run("Read-SharedMemory $global:fq; 'still alive'");
                Assert.Equal("ReadSharedMemoryTruncated" + ReadId, r.ErrorIds);
                Assert.Equal("still alive", r.Output.Single().BaseObject);
            }
            finally
            {
                Run("$global:fq.Dispose()");
                File.Delete(path);
            }
        }

        [Fact]
        public void A_file_truncated_by_another_process_is_reported_instead_of_killing_this_one()
        {
            string path = Path.Combine(Path.GetTempPath(), SegmentName + ".bin");
            try
            {
                Run("$global:f = New-SharedMemory -Name $name -Path $p -Size 65536; Write-SharedMemory $f -InputObject 'x'", ("p", path)).AssertNoErrors();
                using (var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite)) file.SetLength(10);

                var r = Run("Read-SharedMemory $global:f; Write-SharedMemory $global:f -Bytes 1 -Offset 60000; 'still alive'");
                Assert.Equal("ReadSharedMemoryTruncated" + ReadId + " | WriteSharedMemoryTruncated,PSSharedMemory.Commands.WriteSharedMemoryCommand", r.ErrorIds);
                Assert.Equal(ErrorCategory.InvalidData, r.Errors[0].CategoryInfo.Category);
                Assert.Equal("still alive", r.Output.Single().BaseObject);
            }
            finally
            {
                Run("$global:f.Dispose()");
                File.Delete(path);
            }
        }

        [Fact]
        public void A_file_larger_than_the_free_space_is_refused_when_it_is_created()
        {
            string path = Path.Combine(Path.GetTempPath(), SegmentName + ".big");
            var r = Run("New-SharedMemory -Name $name -Path $p -Size (1L -shl 44)", ("p", path));
            Assert.Equal("NewSharedMemoryOutOfSpace,PSSharedMemory.Commands.NewSharedMemoryCommand", r.ErrorIds);
            Assert.Equal(ErrorCategory.ResourceUnavailable, r.Errors[0].CategoryInfo.Category);
            Assert.False(File.Exists(path));
        }

        [Theory]
        [InlineData("deep")]
        [InlineData("dtd")]
        [InlineData("garbage")]
        public void Hostile_CliXml_is_refused_with_InvalidData(string kind)
        {
            string xml = kind switch
            {
                "deep" => "<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">" + string.Concat(Enumerable.Repeat("<Obj RefId=\"0\"><LST>", 5000)) + string.Concat(Enumerable.Repeat("</LST></Obj>", 5000)) + "</Objs>",
                "dtd" => "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]><Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\"><S>&c;</S></Objs>",
                _ => "<Objs><Obj RefId=\"0\"><Ref RefId=\"9\" /></Obj>",
            };
            StorePayload(PayloadKind.CliXml, Encoding.UTF8.GetBytes(xml));
            var r = Run("Read-SharedMemory -Name $name");
            Assert.Equal("ReadSharedMemoryCorrupted" + ReadId, r.ErrorIds);
            Assert.Equal(ErrorCategory.InvalidData, r.Errors[0].CategoryInfo.Category);
        }

        [Fact]
        public void CliXml_naming_a_dangerous_type_comes_back_as_inert_data()
        {
            const string Xml = "<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\"><Obj RefId=\"0\"><TN RefId=\"0\"><T>System.Diagnostics.Process</T><T>System.Object</T></TN><ToString>calc</ToString><Props><S N=\"StartInfo\">calc.exe</S><S N=\"ScriptBlock\">[IO.File]::WriteAllText('/tmp/pwned','x')</S></Props></Obj></Objs>";
            StorePayload(PayloadKind.CliXml, Encoding.UTF8.GetBytes(Xml));
            var r = Run("$v = Read-SharedMemory -Name $name; $v.PSObject.TypeNames[0]; $v.GetType().FullName; $v.ScriptBlock.GetType().Name").AssertNoErrors();
            Assert.Equal(new object[] { "Deserialized.System.Diagnostics.Process", "System.Management.Automation.PSObject", "String" }, r.Output.Select(o => o.BaseObject));
            Assert.False(File.Exists("/tmp/pwned"));
        }

        private void StorePayload(PayloadKind kind, byte[] payload)
        {
            using var segment = SharedMemorySegment.Open(new SegmentOptions(SegmentName) { Size = 1024 * 1024 });
            using var locked = segment.Lock();
            locked.WriteValue(kind, payload);
        }
    }
}
