namespace PSSharedMemory
{
    /// <summary>A segment found on the machine (Unix), whether or not this process has it open.</summary>
    public sealed class ExistingSegment
    {
        internal ExistingSegment(string name, string path, long length)
        {
            Name = name;
            Path = path;
            Length = length;
        }

        /// <summary>The segment's name.</summary>
        public string Name { get; }

        /// <summary>The shm object's path.</summary>
        public string Path { get; }

        /// <summary>The object's length in bytes, header included.</summary>
        public long Length { get; }
    }
}
