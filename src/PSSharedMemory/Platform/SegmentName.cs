namespace PSSharedMemory.Platform
{
    /// <summary>A validated segment name and the operating-system names derived from it.</summary>
    internal sealed class SegmentName
    {
        public SegmentName(string name, SegmentScope scope, string mappingName, string lockName)
        {
            Name = name;
            Scope = scope;
            MappingName = mappingName;
            LockName = lockName;
        }

        /// <summary>The name as the user gave it, without a <c>Local\</c> or <c>Global\</c> prefix.</summary>
        public string Name { get; }

        public SegmentScope Scope { get; }

        /// <summary>The kernel object name (Windows) or the shm object name (Unix).</summary>
        public string MappingName { get; }

        /// <summary>The lock's name: the mapping name followed by <c>_Mutex</c>, as the seed's programs use.</summary>
        public string LockName { get; }
    }
}
