using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Threading;

namespace PSSharedMemory.Tests.Infrastructure
{
    /// <summary>Another process of a test: the engine host built beside the tests, or a program under Wine.</summary>
    public sealed class ChildProcess : IDisposable
    {
        public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(3);
        private readonly Process _process;
        private readonly StringBuilder _stdout = new StringBuilder();
        private readonly StringBuilder _stderr = new StringBuilder();

        private ChildProcess(Process process)
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

        public string[] OutputLines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        public int ExitCode => _process.ExitCode;

        public bool HasExited => _process.HasExited;

        /// <summary>Starts <paramref name="fileName"/> with its output captured.</summary>
        public static ChildProcess Start(string fileName, IEnumerable<string> arguments, IDictionary<string, string>? environment = null)
        {
            var info = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string a in arguments) info.ArgumentList.Add(a);
            if (environment is not null)
            {
                foreach (var pair in environment) info.Environment[pair.Key] = pair.Value;
            }

            return new ChildProcess(Process.Start(info)!);
        }

        /// <summary>Starts the engine host on <paramref name="script"/>; with <paramref name="newSession"/> under setsid, in a session of its own.</summary>
        public static ChildProcess Host(string script, bool newSession = false)
        {
            var arguments = new List<string>();
            if (newSession) arguments.Add("dotnet");
            arguments.AddRange(new[] { Path.Combine(AppContext.BaseDirectory, "PSSharedMemory.Host.dll"), "-Command", script });
            return Start(newSession ? "setsid" : "dotnet", arguments);
        }

        /// <summary>Runs the engine host on a script to its end.</summary>
        public static ChildProcess RunHost(string script, TimeSpan timeout)
        {
            var host = Host(script);
            host.WaitForExit(timeout);
            return host;
        }

        public void WaitForExit(TimeSpan timeout)
        {
            if (!_process.WaitForExit((int)timeout.TotalMilliseconds))
            {
                Kill();
                throw new TimeoutException($"Process did not finish within {timeout}. stdout: {Stdout} stderr: {Stderr}");
            }

            _process.WaitForExit(); // drains the output readers
        }

        /// <summary>Waits until the process has written <paramref name="text"/> to its output.</summary>
        public void WaitForOutput(string text, TimeSpan? timeout = null)
        {
            var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
            while (!Stdout.Contains(text, StringComparison.Ordinal))
            {
                if (DateTime.UtcNow > deadline || (_process.HasExited && !Stdout.Contains(text, StringComparison.Ordinal) && WaitDrained()))
                {
                    throw new TimeoutException($"No '{text}' from the process. stdout: {Stdout} stderr: {Stderr}");
                }

                Thread.Sleep(20);
            }
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

        private bool WaitDrained()
        {
            _process.WaitForExit();
            return true;
        }
    }
}
