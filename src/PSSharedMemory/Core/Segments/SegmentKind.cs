namespace PSSharedMemory
{
    /// <summary>What a segment with the PSSharedMemory header holds. The numbers are part of the byte layout.</summary>
    public enum SegmentKind
    {
        /// <summary>One value, replaced by each write.</summary>
        Value = 0,
        /// <summary>A first-in, first-out ring of messages; nothing is dropped or overwritten.</summary>
        Queue = 1,
    }
}
