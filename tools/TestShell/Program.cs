using Microsoft.PowerShell;

namespace PSSharedMemory.TestShell
{
    internal static class Program
    {
        // pwsh.dll's own Main is this one call; everything else is the engine's console host.
        private static int Main(string[] args) => UnmanagedPSEntry.Start(args, args.Length);
    }
}
