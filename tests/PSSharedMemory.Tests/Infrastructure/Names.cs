using System;

namespace PSSharedMemory.Tests.Infrastructure
{
    /// <summary>A fresh segment name per test, so tests never share state.</summary>
    public static class Names
    {
        public static string Unique(string prefix = "t")
        {
            string name = $"pssm_{prefix}_{Guid.NewGuid():N}";
            return name.Length > 40 ? name.Substring(0, 40) : name;
        }

        public static string ShmPath(string name) => "/dev/shm/" + name;

        /// <summary>Deletes what a test may have left of a segment on Linux: its shm object and its lock companion.</summary>
        public static void DeleteSegment(string name)
        {
            System.IO.File.Delete(ShmPath(name));
            System.IO.File.Delete(ShmPath(name) + "_Mutex");
        }
    }
}
