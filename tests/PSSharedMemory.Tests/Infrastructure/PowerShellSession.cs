using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace PSSharedMemory.Tests.Infrastructure
{
    /// <summary>A runspace of the real PowerShell engine with the built module imported by its manifest.</summary>
    public sealed class PowerShellSession : IDisposable
    {
        public static readonly string ModuleManifest = Path.Combine(AppContext.BaseDirectory, "PSSharedMemory.psd1");

        private readonly Runspace _runspace;

        public PowerShellSession()
        {
            var state = InitialSessionState.CreateDefault2();
            state.ImportPSModule(new[] { ModuleManifest });
            _runspace = RunspaceFactory.CreateRunspace(state);
            _runspace.Open();
        }

        public Runspace Runspace => _runspace;

        /// <summary>Runs a script; variables are set first. Terminating errors are captured like written ones.</summary>
        public ScriptResult Run(string script, IDictionary<string, object?>? variables = null)
        {
            using PowerShell shell = PowerShell.Create();
            shell.Runspace = _runspace;
            if (variables is not null)
            {
                foreach (var pair in variables) _runspace.SessionStateProxy.SetVariable(pair.Key, pair.Value);
            }

            shell.AddScript(script);
            var result = new ScriptResult();
            try
            {
                result.Output.AddRange(shell.Invoke());
            }
            catch (RuntimeException e)
            {
                result.Errors.Add(e.ErrorRecord);
            }

            result.Errors.AddRange(shell.Streams.Error);
            result.Warnings.AddRange(shell.Streams.Warning.Select(w => w.Message));
            result.Verbose.AddRange(shell.Streams.Verbose.Select(v => v.Message));
            return result;
        }

        public void Dispose() => _runspace.Dispose();
    }

    public sealed class ScriptResult
    {
        public List<PSObject> Output { get; } = new List<PSObject>();

        public List<ErrorRecord> Errors { get; } = new List<ErrorRecord>();

        public List<string> Warnings { get; } = new List<string>();

        public List<string> Verbose { get; } = new List<string>();

        public object? Single => Output.Count == 1 ? Output[0]?.BaseObject : throw new InvalidOperationException($"Expected one output object, got {Output.Count}; errors: {string.Join("; ", Errors)}");

        public string ErrorIds => string.Join(" | ", Errors.Select(e => e.FullyQualifiedErrorId));

        /// <summary>Fails with the errors' text when the script wrote any.</summary>
        public ScriptResult AssertNoErrors()
        {
            if (Errors.Count > 0) throw new Xunit.Sdk.XunitException("Unexpected PowerShell errors: " + string.Join(Environment.NewLine, Errors.Select(e => $"{e.FullyQualifiedErrorId}: {e}")));
            return this;
        }
    }
}
