using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text.RegularExpressions;
using PSSharedMemory.Tests.Infrastructure;
using Xunit;

namespace PSSharedMemory.Tests
{
    /// <summary>Get-Help works after a build, from MAML made of docs/help, and the help matches the cmdlets.</summary>
    public sealed class HelpTests : System.IDisposable
    {
        private readonly PowerShellSession _ps = new PowerShellSession();

        public static TheoryData<string> Cmdlets() => new TheoryData<string> { "New-SharedMemory", "Write-SharedMemory", "Read-SharedMemory", "Update-SharedMemory", "Get-SharedMemory", "Remove-SharedMemory" };

        public void Dispose() => _ps.Dispose();

        [Fact]
        public void The_manifest_exports_exactly_the_cmdlets_that_have_help()
        {
            var exported = _ps.Run("(Get-Module PSSharedMemory).ExportedCmdlets.Keys | Sort-Object").AssertNoErrors().Output.Select(o => o.BaseObject).ToList();
            Assert.Equal(new object[] { "Get-SharedMemory", "New-SharedMemory", "Read-SharedMemory", "Remove-SharedMemory", "Update-SharedMemory", "Write-SharedMemory" }, exported);
        }

        [Theory]
        [MemberData(nameof(Cmdlets))]
        public void Full_help_has_synopsis_description_and_at_least_three_examples(string cmdlet)
        {
            var r = _ps.Run($"$h = Get-Help {cmdlet} -Full; $h.Synopsis; ($h.Description | ForEach-Object Text) -join ' '; @($h.Examples.Example).Count; (Get-Help {cmdlet} -Examples | Out-String)").AssertNoErrors();
            string synopsis = (string)r.Output[0].BaseObject;
            Assert.False(string.IsNullOrWhiteSpace(synopsis));
            Assert.DoesNotContain(cmdlet + " [", synopsis, System.StringComparison.Ordinal); // not the engine's generated stand-in
            Assert.True(((string)r.Output[1].BaseObject).Length > 100);
            Assert.True((int)r.Output[2].BaseObject >= 3);
            Assert.Contains("Example 1", (string)r.Output[3].BaseObject, System.StringComparison.Ordinal);
        }

        [Theory]
        [MemberData(nameof(Cmdlets))]
        public void Every_parameter_has_help_and_the_markdown_lists_exactly_the_real_parameters(string cmdlet)
        {
            var real = _ps.Run($"(Get-Command {cmdlet}).Parameters.Keys | Where-Object {{ [System.Management.Automation.PSCmdlet]::CommonParameters -notcontains $_ -and [System.Management.Automation.PSCmdlet]::OptionalCommonParameters -notcontains $_ }}")
                .AssertNoErrors().Output.Select(o => (string)o.BaseObject).OrderBy(n => n).ToList();
            string markdown = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "help", cmdlet + ".md"));
            var documented = Regex.Matches(markdown, @"^### -(\w+)", RegexOptions.Multiline).Select(m => m.Groups[1].Value)
                .Where(n => n is not "WhatIf" and not "Confirm").OrderBy(n => n).ToList();
            Assert.Equal(real, documented);

            foreach (string parameter in real)
            {
                var r = _ps.Run($"((Get-Help {cmdlet} -Parameter {parameter}).Description | ForEach-Object Text) -join ' '").AssertNoErrors();
                Assert.True(((string)r.Single!).Length > 20, $"{cmdlet} -{parameter} has no description in Get-Help");
            }
        }

        [Fact]
        public void The_about_topic_is_found_by_Get_Help_and_documents_every_error_reason()
        {
            string about = (string)_ps.Run("Get-Help about_PSSharedMemory | Out-String").AssertNoErrors().Single!;
            Assert.Contains("ABOUT_PSSHAREDMEMORY", about.ToUpperInvariant(), System.StringComparison.Ordinal);
            foreach (string reason in System.Enum.GetNames<SharedMemoryError>())
            {
                Assert.Contains("| " + reason + " |", about, System.StringComparison.Ordinal);
            }
        }

        private static string RepoRoot()
        {
            string? dir = System.AppContext.BaseDirectory;
            while (dir is not null && !File.Exists(Path.Combine(dir, "PSSharedMemory.slnx"))) dir = Path.GetDirectoryName(dir);
            return dir!;
        }
    }
}
