using System;
using System.Collections.Generic;
using System.IO;

namespace PSSharedMemory.Tests.Infrastructure
{
    /// <summary>
    /// A test with its own engine session and its own segment name (available to scripts as $name),
    /// which removes whatever the test left behind.
    /// </summary>
    public abstract class SegmentTest : IDisposable
    {
        /// <summary>The segments a test may make besides its own: its name with one of these after it.</summary>
        private static readonly string[] LeftoverSuffixes = { "", "2", "r" };

        protected SegmentTest(string prefix)
        {
            SegmentName = Names.Unique(prefix);
        }

        protected PowerShellSession Ps { get; } = new PowerShellSession();

        protected string SegmentName { get; }

        /// <summary>Runs a script in this test's session with $name set to the segment name, plus the given variables.</summary>
        protected ScriptResult Run(string script, params (string Name, object? Value)[] variables)
        {
            var all = new Dictionary<string, object?> { ["name"] = SegmentName };
            foreach (var (key, value) in variables) all[key] = value;
            return Ps.Run(script, all);
        }

        /// <summary>Starts <paramref name="script"/>, lets it block, presses Ctrl+C, and checks it ended at once.</summary>
        protected void AssertStopsPromptly(string script)
        {
            using System.Management.Automation.PowerShell shell = System.Management.Automation.PowerShell.Create();
            shell.Runspace = Ps.Runspace;
            shell.AddScript(script);
            IAsyncResult pending = shell.BeginInvoke();
            System.Threading.Thread.Sleep(500);
            Xunit.Assert.False(pending.IsCompleted, "the script should be blocked");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            shell.Stop();
            Xunit.Assert.Throws<System.Management.Automation.PipelineStoppedException>(() => shell.EndInvoke(pending));
            Xunit.Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"stop took {clock.Elapsed}");
        }

        public void Dispose()
        {
            Ps.Run("Get-SharedMemory | Remove-SharedMemory -Confirm:$false");
            Ps.Dispose();
            foreach (string suffix in LeftoverSuffixes) Names.DeleteSegment(SegmentName + suffix);
            GC.SuppressFinalize(this);
        }
    }
}
