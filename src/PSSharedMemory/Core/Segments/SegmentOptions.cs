using System;

namespace PSSharedMemory
{
    /// <summary>What to open or create.</summary>
    public sealed class SegmentOptions
    {
        /// <summary>The default time to wait for a segment's lock.</summary>
        public static readonly TimeSpan DefaultLockTimeout = TimeSpan.FromSeconds(30);

        /// <summary>Creates options for the named segment.</summary>
        public SegmentOptions(string name)
        {
            Name = name;
        }

        /// <summary>The segment's name, optionally with a <c>Local\</c> or <c>Global\</c> prefix.</summary>
        public string Name { get; }

        /// <summary>The size of the data area to create (for raw segments, of the whole mapping); null to open only.</summary>
        public long? Size { get; set; }

        /// <summary>A file to map instead of memory: created with <see cref="Size"/> when missing, else used at its own size.</summary>
        public string? Path { get; set; }

        /// <summary>Whether to create, open, or either.</summary>
        public OpenMode Mode { get; set; } = OpenMode.CreateOrOpen;

        /// <summary>Header and values, or plain bytes.</summary>
        public SegmentFormat Format { get; set; } = SegmentFormat.Value;

        /// <summary>What a segment created with the header holds: one value (default) or a queue of messages.</summary>
        public SegmentKind Kind { get; set; } = SegmentKind.Value;

        /// <summary>
        /// How a segment created with the header checks its values and messages: LaneSum when null. An
        /// existing segment keeps its own; when this is set and differs, opening it fails with ChecksumDiffers.
        /// </summary>
        public ChecksumAlgorithm? Checksum { get; set; }

        /// <summary>The Windows namespace of the name.</summary>
        public SegmentScope Scope { get; set; } = SegmentScope.Local;

        /// <summary>Who besides the creating user may open the segment, when this call creates it.</summary>
        public SegmentAccess Access { get; set; } = SegmentAccess.Owner;

        /// <summary>Accept a segment (or lock) that another user created; refused by default, since its owner controls it.</summary>
        public bool AllowOtherOwner { get; set; }

        /// <summary>How long operations on the segment wait for its lock by default.</summary>
        public TimeSpan LockTimeout { get; set; } = DefaultLockTimeout;
    }
}
