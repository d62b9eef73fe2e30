using System;
using System.Collections.Generic;
using System.IO;
using Xunit;

namespace PSSharedMemory.Tests.Infrastructure
{
    /// <summary>
    /// Runs Windows programs under Wine with one private prefix for the whole run: the engine host and the
    /// module published for win-x64, and the Win32 peer written after the seed. The test build makes them
    /// where MinGW-w64 and Wine are installed; set PSSHAREDMEMORY_REQUIRE_WINE=1 (as CI does) to fail
    /// rather than skip when they are missing.
    /// </summary>
    public sealed class Wine : IDisposable
    {
        public const string RequireVariable = "PSSHAREDMEMORY_REQUIRE_WINE";
        private const string WineExecutable = "/usr/bin/wine";
        private static readonly string SuiteDirectory = Path.Combine(AppContext.BaseDirectory, "windows");
        private readonly Dictionary<string, string> _environment;

        public Wine()
        {
            HostExe = Path.Combine(SuiteDirectory, "host", "PSSharedMemory.Host.exe");
            PeerExe = Path.Combine(SuiteDirectory, "seed_peer.exe");
            _environment = new Dictionary<string, string>
            {
                ["WINEPREFIX"] = Path.Combine(SuiteDirectory, "wineprefix"),
                ["WINEDEBUG"] = "-all",
                // Wine gap, not a module one: the runtime's W^X double mapping of JIT code crashes Wine 8 when
                // freeing dynamic methods ("Internal CLR error" in DynamicResolver finalizers), which PowerShell
                // creates for every script block. Real Windows does not need this.
                ["DOTNET_EnableWriteXorExecute"] = "0",
            };

            foreach (var (path, what) in new[] { (WineExecutable, "Wine (apt-get install wine64)"), (PeerExe, "the seed-style peer (apt-get install g++-mingw-w64-x86-64, then rebuild)"), (HostExe, "the win-x64 host (built when Wine is installed)") })
            {
                if (!File.Exists(path)) Missing ??= $"The Windows suite cannot run here: {what} is missing ({path}).";
            }

            if (Missing is not null)
            {
                if (Environment.GetEnvironmentVariable(RequireVariable) == "1") throw new InvalidOperationException(Missing);
                return;
            }

            // The first start of a prefix takes a while; do it once, before any test times a wait.
            using var boot = ChildProcess.Start(WineExecutable, new[] { "cmd.exe", "/c", "echo", "ready" }, _environment);
            boot.WaitForExit(TimeSpan.FromMinutes(5));
        }

        /// <summary>Why the Windows suite cannot run here, or null when it can.</summary>
        public string? Missing { get; }

        public string HostExe { get; }

        public string PeerExe { get; }

        /// <summary>The peer's path as Windows programs under Wine see it.</summary>
        public string PeerWindowsPath => "Z:" + PeerExe.Replace('/', '\\');

        public void SkipIfMissing() => Skip.If(Missing is not null, Missing);

        /// <summary>The engine host, with the module, on the Windows code path.</summary>
        public ChildProcess Host(string script) => ChildProcess.Start(WineExecutable, new[] { HostExe, "-Command", script }, _environment);

        public ChildProcess RunHost(string script)
        {
            var host = Host(script);
            host.WaitForExit(ChildProcess.DefaultTimeout);
            return host;
        }

        public ChildProcess Peer(params string[] arguments)
        {
            var all = new List<string> { PeerExe };
            all.AddRange(arguments);
            return ChildProcess.Start(WineExecutable, all, _environment);
        }

        public void Dispose()
        {
            if (Missing is not null) return;
            using var stop = ChildProcess.Start("/usr/bin/wineserver", new[] { "-k" }, _environment);
            stop.WaitForExit(TimeSpan.FromMinutes(1));
        }
    }

    [CollectionDefinition(Name)]
    public sealed class WineCollection : ICollectionFixture<Wine>
    {
        public const string Name = "Wine";
    }
}
