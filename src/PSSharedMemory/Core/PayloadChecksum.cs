namespace PSSharedMemory
{
    /// <summary>The checksum of a payload by the algorithm its segment's header names.</summary>
    internal static class PayloadChecksum
    {
        public static uint Compute(ChecksumAlgorithm algorithm, byte[] payload) => Compute(algorithm, payload, 0, payload.Length);

        public static uint Compute(ChecksumAlgorithm algorithm, byte[] data, int index, int count) =>
            algorithm == ChecksumAlgorithm.LaneSum ? LaneSum.Compute(data, index, count) : Crc32.Compute(data, index, count);
    }
}
