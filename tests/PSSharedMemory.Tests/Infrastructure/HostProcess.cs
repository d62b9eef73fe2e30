using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;

namespace PSSharedMemory.Tests.Infrastructure
{
    /// <summary>Another process running PowerShell with the module: the host program built beside the tests.</summary>
    public sealed class HostProcess : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _stdout = new StringBuilder();
        private readonly StringBuilder _stderr = new StringBuilder();

        private HostProcess(Process process)
        {
            _process = process;
            _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_stdout) _stdout.AppendLine(e.Data); };
            _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data); };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public int Id => _process.Id;

        public string Stdout { get { lock (_stdout) return _stdout.ToString(); } }

        public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

        /// <summary>Starts the host on <paramref name="script"/>; with <paramref name="newSession"/> it runs under setsid, in a session of its own.</summary>
        public static HostProcess Start(string script, bool newSession = false, params string[] arguments)
        {
            string hostDll = Path.Combine(AppContext.BaseDirectory, "PSSharedMemory.Host.dll");
            var info = new ProcessStartInfo(newSession ? "setsid" : "dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            var list = new List<string>();
            if (newSession) list.Add("dotnet");
            list.AddRange(new[] { hostDll, "-Command", script });
            list.AddRange(arguments);
            foreach (string a in list) info.ArgumentList.Add(a);
            return new HostProcess(Process.Start(info)!);
        }

        /// <summary>Runs a script in another process to its end and returns its exit code.</summary>
        public static HostProcess Run(string script, TimeSpan timeout, bool newSession = false)
        {
            var host = Start(script, newSession);
            host.WaitForExit(timeout);
            return host;
        }

        public int ExitCode => _process.ExitCode;

        public void WaitForExit(TimeSpan timeout)
        {
            if (!_process.WaitForExit((int)timeout.TotalMilliseconds))
            {
                Kill();
                throw new TimeoutException($"Host process did not finish within {timeout}. stdout: {Stdout} stderr: {Stderr}");
            }

            _process.WaitForExit(); // drains the output readers
        }

        /// <summary>SIGKILL: the process gets no chance to release anything.</summary>
        public void Kill()
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: false);
            _process.WaitForExit();
        }

        public void Dispose()
        {
            if (!_process.HasExited) Kill();
            _process.Dispose();
        }
    }
}
