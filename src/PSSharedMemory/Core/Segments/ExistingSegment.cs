using System;

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

        /// <summary>Value when it carries the PSSharedMemory header, Raw when not, null when it could not be read.</summary>
        public SegmentFormat? Format { get; internal set; }

        /// <summary>What the header says the segment holds (Value or Queue), as a handle's Kind; null for raw or unreadable segments.</summary>
        public SegmentKind? Kind { get; internal set; }

        /// <summary>When the header says the segment was created; null for raw or unreadable segments.</summary>
        public DateTimeOffset? CreationTime { get; internal set; }

        /// <summary>Bytes in the data area: the header's capacity for value segments, the length for raw ones.</summary>
        public long? Size { get; internal set; }

        /// <summary>The header's version counter; null for raw or unreadable segments.</summary>
        public ulong? Version { get; internal set; }

        /// <inheritdoc/>
        public override string ToString() => Name;
    }
}
