using System;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace PSSharedMemory.Bench
{
    /// <summary>
    /// The receiving PowerShell process of the process → process rows: a warm runspace that, for each line
    /// "queue NAME" or "file PATH" on standard input, takes every object from that queue or CliXml file
    /// and prints how many it got, and for "collect" collects its heap and prints "collected".
    /// </summary>
    internal static class PowerShellConsumer
    {
        public static int Run()
        {
            var state = InitialSessionState.CreateDefault2();
            state.ImportPSModule(new[] { Path.Combine(AppContext.BaseDirectory, "PSSharedMemory.psd1") });
            using Runspace runspace = RunspaceFactory.CreateRunspace(state);
            runspace.Open();
            Console.Out.WriteLine("ready");
            Console.Out.Flush();
            string? line;
            while ((line = Console.In.ReadLine()) is not null)
            {
                string[] parts = line.Split(' ', 2);
                if (parts[0] == "collect")
                {
                    Collect();
                    Console.Out.WriteLine("collected");
                    Console.Out.Flush();
                    continue;
                }

                using var shell = PowerShell.Create();
                shell.Runspace = runspace;
                if (parts[0] == "queue") shell.AddScript("param($n) (Read-SharedMemory -Name $n -Wait -TimeoutSeconds 120 | Measure-Object).Count").AddArgument(parts[1]);
                else shell.AddScript("param($p) (Import-Clixml -Path $p | Measure-Object).Count").AddArgument(parts[1]);
                var result = shell.Invoke();
                if (shell.HadErrors) Console.Error.WriteLine(shell.Streams.Error[0].ToString());
                Console.Out.WriteLine(result.Count == 1 ? result[0].ToString() : "-1");
                Console.Out.Flush();
            }

            return 0;
        }

        /// <summary>A full collection, finalizers run, and the garbage they leave collected too.</summary>
        public static void Collect()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
        }
    }
}
