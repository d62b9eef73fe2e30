using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using PSSharedMemory.Platform.Unix;
using PSSharedMemory.Platform.Windows;

namespace PSSharedMemory.Platform
{
    /// <summary>Picks the platform once; nothing else in the module asks which operating system it runs on.</summary>
    internal static class Platforms
    {
        // Windows is recognised without RuntimeInformation, which .NET Framework before 4.7.1 lacks in-box,
        // so that Windows PowerShell 5.1 on .NET Framework 4.6.2 never needs it.
        public static IPlatform Current { get; } =
            Environment.OSVersion.Platform == PlatformID.Win32NT ? new WindowsPlatform() : CreateUnix();

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static IPlatform CreateUnix() => new UnixPlatform(isLinux: RuntimeInformation.IsOSPlatform(OSPlatform.Linux));
    }
}
