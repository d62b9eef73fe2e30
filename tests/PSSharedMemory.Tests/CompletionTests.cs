using System;
using System.IO;
using System.Linq;
using PSSharedMemory.Tests.Infrastructure;
using Xunit;

namespace PSSharedMemory.Tests
{
    /// <summary>Tab completion of -Name through the engine's own completion (what TabExpansion2 calls).</summary>
    public sealed class CompletionTests : SegmentTest
    {
        public CompletionTests()
            : base("tab")
        {
        }

        private string[] Complete(string line)
        {
            var r = Run("[System.Management.Automation.CommandCompletion]::CompleteInput($line, $line.Length, $null).CompletionMatches | ForEach-Object { $_.CompletionText + '|' + $_.ToolTip }", ("line", line)).AssertNoErrors();
            return r.Output.Select(o => (string)o.BaseObject).ToArray();
        }

        [Fact]
        public void Name_completes_open_handles_and_segments_with_the_header_but_not_raw_objects()
        {
            Run("$global:keep = New-SharedMemory -Name $name -Size 100 -Queue").AssertNoErrors();
            using (var other = new PowerShellSession())
            {
                // Made by another session and left in /dev/shm: known only from its header.
                other.Run($"New-SharedMemory -Name {SegmentName}2 -Size 200 | Write-SharedMemory -InputObject 'x'; New-SharedMemory -Name {SegmentName}r -Size 64 -Raw | Out-Null").AssertNoErrors();
            }

            string[] matches = Complete($"Read-SharedMemory -Name {SegmentName}");
            Assert.Equal(new[] { SegmentName, SegmentName + "2" }, matches.Select(m => m.Split('|')[0]));
            Assert.Contains("Queue segment of 100 bytes, open in this session", matches[0], StringComparison.Ordinal);
            Assert.Contains("PSSharedMemory segment of 200 bytes, version 1", matches[1], StringComparison.Ordinal);
            Assert.Equal(new[] { SegmentName + "2" }, Complete($"Remove-SharedMemory -Name {SegmentName}2").Select(m => m.Split('|')[0]));
            Assert.Empty(Complete($"Get-SharedMemory -Name {SegmentName}zzz"));
        }

        [Theory]
        [InlineData("New-SharedMemory -Name ")]
        [InlineData("Write-SharedMemory -Name ")]
        [InlineData("Read-SharedMemory -Name ")]
        [InlineData("Update-SharedMemory -Name ")]
        [InlineData("Get-SharedMemory -Name ")]
        [InlineData("Remove-SharedMemory -Name ")]
        [InlineData("Read-SharedMemory ")]
        public void Every_cmdlet_completes_its_Name_and_quotes_names_the_parser_would_split(string command)
        {
            Run("$global:keep = New-SharedMemory -Name ($name + ' x') -Size 64").AssertNoErrors();
            string[] matches = Complete(command + "'" + SegmentName);
            Assert.Contains($"'{SegmentName} x'", matches.Select(m => m.Split('|')[0]));
            File.Delete(Names.ShmPath(SegmentName + " x") + "_Mutex");
        }
    }
}
