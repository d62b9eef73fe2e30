namespace PSSharedMemory
{
    /// <summary>The checksum of a payload by the algorithm its segment's header names.</summary>
    internal static class PayloadChecksum
    {
        public static uint Compute(ChecksumAlgorithm algorithm, byte[] payload) =>
            algorithm == ChecksumAlgorithm.LaneSum ? LaneSum.Compute(payload) : Crc32.Compute(payload);
    }
}
