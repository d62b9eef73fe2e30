namespace PSSharedMemory
{
    /// <summary>
    /// The checksum of a payload by the algorithm its segment's header names, computed as the payload is
    /// copied in pieces. With LaneSum the copy and the sum are one pass over the bytes where vectors allow.
    /// </summary>
    internal struct PayloadChecksum
    {
        private readonly ChecksumAlgorithm _algorithm;
        private LaneSumState _laneSum;
        private uint _crcRegister;

        public PayloadChecksum(ChecksumAlgorithm algorithm)
        {
            _algorithm = algorithm;
            _laneSum = default;
            _crcRegister = Crc32.Initial;
        }

        public uint Value => _algorithm == ChecksumAlgorithm.LaneSum ? _laneSum.Finish() : Crc32.Finish(_crcRegister);

        public static uint Compute(ChecksumAlgorithm algorithm, byte[] payload) => Compute(algorithm, payload, 0, payload.Length);

        public static uint Compute(ChecksumAlgorithm algorithm, byte[] data, int index, int count)
        {
            var checksum = new PayloadChecksum(algorithm);
            checksum.Append(data, index, count);
            return checksum.Value;
        }

        public void Append(byte[] data, int index, int count)
        {
            if (_algorithm == ChecksumAlgorithm.LaneSum) _laneSum.Append(data, index, count);
            else _crcRegister = Crc32.Append(_crcRegister, data, index, count);
        }

        /// <summary>Copies bytes of <paramref name="source"/> into the mapping and sums them.</summary>
        public void CopyIn(MappedMemory memory, long offset, byte[] source, int sourceIndex, int count) =>
            Copy(memory, offset, source, sourceIndex, count, toMapping: true);

        /// <summary>Sums bytes of <paramref name="source"/>, then copies them into the mapping (<see cref="MappedMemory.SumThenWrite"/> says why not in one pass).</summary>
        public void SumThenCopyIn(MappedMemory memory, long offset, byte[] source, int sourceIndex, int count)
        {
            if (_algorithm == ChecksumAlgorithm.LaneSum)
            {
                memory.SumThenWrite(offset, source, sourceIndex, count, ref _laneSum);
                return;
            }

            Append(source, sourceIndex, count);
            memory.Write(offset, source, sourceIndex, count);
        }

        /// <summary>Copies bytes of the mapping into <paramref name="destination"/> and sums the copy, which no other process can change.</summary>
        public void CopyOut(MappedMemory memory, long offset, byte[] destination, int destinationIndex, int count) =>
            Copy(memory, offset, destination, destinationIndex, count, toMapping: false);

        private void Copy(MappedMemory memory, long offset, byte[] array, int index, int count, bool toMapping)
        {
            if (_algorithm == ChecksumAlgorithm.LaneSum)
            {
                memory.CopySummed(offset, array, index, count, toMapping, ref _laneSum);
                return;
            }

            if (toMapping) memory.Write(offset, array, index, count);
            else memory.Read(offset, array, index, count);
            Append(array, index, count);
        }
    }
}
