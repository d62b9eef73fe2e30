using System.Runtime.InteropServices;
using PSSharedMemory.Platform.Unix;
using PSSharedMemory.Platform.Windows;

namespace PSSharedMemory.Platform
{
    /// <summary>Picks the platform once; nothing else in the module asks which operating system it runs on.</summary>
    internal static class Platforms
    {
        public static IPlatform Current { get; } =
            RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? new WindowsPlatform() :
            new UnixPlatform(isLinux: RuntimeInformation.IsOSPlatform(OSPlatform.Linux));
    }
}
