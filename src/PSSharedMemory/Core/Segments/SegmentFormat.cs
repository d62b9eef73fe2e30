namespace PSSharedMemory
{
    /// <summary>Whether a segment carries the PSSharedMemory header (values) or is plain bytes.</summary>
    public enum SegmentFormat
    {
        /// <summary>A header and a data area; values and raw bytes both apply.</summary>
        Value,
        /// <summary>Plain bytes with no header, as the seed's programs or Python make them; only raw bytes apply.</summary>
        Raw,
        /// <summary>Open an existing segment as whichever it is: Value when it has the header, else Raw.</summary>
        Detect,
    }
}
