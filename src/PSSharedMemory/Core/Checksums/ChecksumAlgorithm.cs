namespace PSSharedMemory
{
    /// <summary>How a segment checks its values and messages; chosen when the segment is created and kept in its header.</summary>
    public enum ChecksumAlgorithm
    {
        /// <summary>CRC-32 as zlib computes it: slower (about 1.5 GB/s here), but any language's zlib verifies it.</summary>
        Crc32 = 0,
        /// <summary>
        /// A position-sensitive sum over 32-bit words in four 64-bit lanes, mixed to 32 bits (docs/layout.md):
        /// about seven times faster than CRC-32, and detects every change confined to one or two words.
        /// </summary>
        LaneSum = 1,
    }
}
