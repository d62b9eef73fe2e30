using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace PSSharedMemory.Host
{
    /// <summary>
    /// Runs PowerShell with PSSharedMemory imported from this program's folder.
    /// Usage: PSSharedMemory.Host (-Command &lt;script&gt; | -File &lt;path&gt;) [arguments for $args...]
    /// Output objects go to stdout one per line; errors (with their FullyQualifiedErrorId) and warnings go
    /// to stderr. The exit code is 0 when no error was written, 1 otherwise, 2 for bad usage.
    /// </summary>
    internal static class Program
    {
        private static int Main(string[] args)
        {
            if (args.Length < 2 || (args[0] != "-Command" && args[0] != "-File"))
            {
                Console.Error.WriteLine("usage: PSSharedMemory.Host (-Command <script> | -File <path>) [args...]");
                return 2;
            }

            string manifest = Path.Combine(AppContext.BaseDirectory, "PSSharedMemory.psd1");
            var state = InitialSessionState.CreateDefault2();
            // A hosted engine on Windows starts with the Restricted policy, which refuses the module's format file
            // (.ps1xml); this host is a test and demo tool, so it runs what it is given, like pwsh -ExecutionPolicy Bypass.
            if (OperatingSystem.IsWindows()) state.ExecutionPolicy = Microsoft.PowerShell.ExecutionPolicy.Bypass;
            state.ImportPSModule(new[] { manifest });
            using Runspace runspace = RunspaceFactory.CreateRunspace(state);
            runspace.Open();
            using PowerShell shell = PowerShell.Create();
            shell.Runspace = runspace;
            // A file runs as a script command, so that $PSScriptRoot and param() work as under pwsh -File.
            if (args[0] == "-File") shell.AddCommand(Path.GetFullPath(args[1]));
            else shell.AddScript(args[1]);
            foreach (string argument in args.Skip(2)) shell.AddArgument(argument);

            bool failed = false;
            shell.Streams.Error.DataAdded += (_, e) =>
            {
                ErrorRecord record = shell.Streams.Error[e.Index];
                Console.Error.WriteLine($"ERROR: {record.FullyQualifiedErrorId}: {record}");
                failed = true;
            };
            shell.Streams.Warning.DataAdded += (_, e) => Console.Error.WriteLine("WARNING: " + shell.Streams.Warning[e.Index]);
            shell.Streams.Information.DataAdded += (_, e) => Console.Out.WriteLine(shell.Streams.Information[e.Index]);
            var output = new PSDataCollection<PSObject>();
            output.DataAdded += (_, e) =>
            {
                Console.Out.WriteLine(output[e.Index]?.ToString());
                Console.Out.Flush();
            };

            try
            {
                shell.Invoke(null, output);
            }
            catch (RuntimeException e)
            {
                Console.Error.WriteLine($"ERROR: {e.ErrorRecord.FullyQualifiedErrorId}: {e.Message}");
                return 1;
            }

            return failed ? 1 : 0;
        }
    }
}
