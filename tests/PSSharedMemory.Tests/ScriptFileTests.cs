using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation.Language;
using PSSharedMemory.Tests.Infrastructure;
using Xunit;

namespace PSSharedMemory.Tests
{
    /// <summary>
    /// The PowerShell files that only pwsh runs (the Pester suite, build.ps1, examples) are at least parsed
    /// here by the engine's own parser, and the Pester files are checked for the shape Pester 5 needs.
    /// </summary>
    public sealed class ScriptFileTests
    {
        private static readonly string RepoRoot = FindRepoRoot();

        public static IEnumerable<object[]> ScriptFiles() =>
            new[] { "tests/Pester", "examples", "bench" }
                .Select(d => Path.Combine(RepoRoot, d))
                .Where(Directory.Exists)
                .SelectMany(d => Directory.GetFiles(d, "*.ps*1", SearchOption.AllDirectories))
                .Where(f => !IsBuildOutput(f))
                .Append(Path.Combine(RepoRoot, "build.ps1"))
                .Select(f => new object[] { Path.GetRelativePath(RepoRoot, f) });

        [Theory]
        [MemberData(nameof(ScriptFiles))]
        public void Parses_without_errors(string relativePath)
        {
            Parser.ParseFile(Path.Combine(RepoRoot, relativePath), out _, out ParseError[] errors);
            Assert.True(errors.Length == 0, string.Join(Environment.NewLine, errors.Select(e => $"{e.Extent.StartLineNumber}: {e.Message}")));
        }

        [Fact]
        public void Package_lays_out_exactly_what_the_Gallery_expects_and_the_layout_imports_with_help_and_views()
        {
            using var session = new PowerShellSession();
            session.Run("& (Join-Path $root 'build.ps1') -Task Package", new Dictionary<string, object?> { ["root"] = RepoRoot }).AssertNoErrors();
            string version = System.Text.RegularExpressions.Regex.Match(File.ReadAllText(Path.Combine(RepoRoot, "Directory.Build.props")), "<Version>([^<]+)</Version>").Groups[1].Value;
            string laidOut = Path.Combine(RepoRoot, "out", "PSSharedMemory", version);
            string[] files = Directory.GetFiles(laidOut, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(laidOut, f).Replace('\\', '/')).OrderBy(f => f, StringComparer.Ordinal).ToArray();
            Assert.Equal(new[] { "LICENSE", "PSSharedMemory.dll", "PSSharedMemory.format.ps1xml", "PSSharedMemory.psd1", "en-US/PSSharedMemory.dll-Help.xml", "en-US/about_PSSharedMemory.help.txt" }, files);
            Assert.Contains($"ModuleVersion = '{version}'", File.ReadAllText(Path.Combine(laidOut, "PSSharedMemory.psd1")), StringComparison.Ordinal);
        }

        [Fact]
        public void The_cmdlet_stream_measurement_runs_and_leaves_no_segment_behind()
        {
            using var session = new PowerShellSession();
            var r = session.Run("& (Join-Path $root 'bench/Measure-CmdletStream.ps1') -Count 300 -Rounds 3 -WarmUp 1; (Get-SharedMemory -ListAvailable | Where-Object Name -like 'measure-stream-*').Count",
                new Dictionary<string, object?> { ["root"] = RepoRoot }).AssertNoErrors();
            Assert.Matches(@"^300 objects, 3 rounds: write best \d+\.\d ms, median \d+\.\d ms; read best \d+\.\d ms, median \d+\.\d ms$", (string)r.Output[0].BaseObject);
            Assert.Equal(0, r.Output[1].BaseObject);
        }

        [Fact]
        public void Every_cmdlet_has_a_Pester_file_in_Pester_5_shape()
        {
            string pester = Path.Combine(RepoRoot, "tests", "Pester");
            foreach (string cmdlet in new[] { "New", "Write", "Read", "Update", "Get", "Remove" }.Select(v => v + "-SharedMemory"))
            {
                string file = Path.Combine(pester, cmdlet + ".Tests.ps1");
                Assert.True(File.Exists(file), "missing " + file);
            }

            foreach (string file in Directory.GetFiles(pester, "*.Tests.ps1"))
            {
                ScriptBlockAst ast = Parser.ParseFile(file, out _, out _);
                var commands = ast.FindAll(a => a is CommandAst, true).Cast<CommandAst>().Select(c => c.GetCommandName()).ToList();
                // Pester 5 runs discovery first: setup belongs in BeforeAll, tests in Describe/It.
                Assert.Contains("BeforeAll", commands);
                Assert.Contains("Describe", commands);
                Assert.Contains("It", commands);
                var topLevel = ast.EndBlock.Statements.OfType<PipelineAst>().Select(p => (p.PipelineElements[0] as CommandAst)?.GetCommandName()).ToList();
                Assert.All(topLevel, name => Assert.Contains(name, new[] { "BeforeDiscovery", "BeforeAll", "Describe", "AfterAll" }));
            }
        }

        /// <summary>Files a build copied (the module's manifest and the engine's own modules next to the benchmark), not sources.</summary>
        private static bool IsBuildOutput(string file) =>
            Path.GetRelativePath(RepoRoot, file).Replace('\\', '/').Split('/').Any(part => part is "bin" or "obj");

        private static string FindRepoRoot()
        {
            string? dir = AppContext.BaseDirectory;
            while (dir is not null && !File.Exists(Path.Combine(dir, "PSSharedMemory.slnx")))
            {
                dir = Path.GetDirectoryName(dir);
            }

            return dir ?? throw new InvalidOperationException("Repository root not found above " + AppContext.BaseDirectory);
        }
    }
}
