using System;

namespace PSSharedMemory.Tests.Infrastructure
{
    /// <summary>A fresh segment name per test, so tests never share state.</summary>
    public static class Names
    {
        public static string Unique(string prefix = "t") => $"pssm_{prefix}_{Guid.NewGuid():N}".Substring(0, 40);

        public static string ShmPath(string name) => "/dev/shm/" + name;
    }
}
