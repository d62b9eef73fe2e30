using System;

namespace PSSharedMemory
{
    /// <summary>
    /// The checksums of up to four messages, each summed as it is added and all finished together, which
    /// for LaneSum costs about what finishing one does (<see cref="LaneSumState.FinishFour"/>). Each message
    /// carries a tag of its owner's (where its checksum goes, or which message it is). Allocates nothing after
    /// it is made.
    /// </summary>
    internal sealed class PendingChecksums
    {
        public const int Capacity = 4;

        private readonly LaneSumState[] _laneSums = new LaneSumState[Capacity];
        private readonly int[] _tags = new int[Capacity];
        private readonly uint[] _values = new uint[Capacity];
        private bool _finished;

        public PendingChecksums(ChecksumAlgorithm algorithm)
        {
            Algorithm = algorithm;
        }

        public ChecksumAlgorithm Algorithm { get; }

        public int Count { get; private set; }

        public bool IsFull => Count == Capacity;

        /// <summary>Sums <paramref name="count"/> bytes of <paramref name="data"/> from <paramref name="index"/> as the next message.</summary>
        public void Add(int tag, byte[] data, int index, int count)
        {
            if (IsFull || _finished) throw new InvalidOperationException("Finish and clear the checksums before adding more.");
            if (Algorithm == ChecksumAlgorithm.LaneSum)
            {
                ref LaneSumState sum = ref _laneSums[Count];
                // Cleared in place: assigning a new state whole went through two copies on the stack, the second
                // read back before the first had landed, a stall that cost a 100-byte message several nanoseconds.
                sum.Clear();
                sum.Append(data, index, count);
            }
            else
            {
                // A CRC's finishing step is one complement, nothing worth doing four at a time.
                _values[Count] = Crc32.Compute(data, index, count);
            }

            _tags[Count++] = tag;
        }

        /// <summary>Finishes every checksum added; <see cref="Value"/> reads them until <see cref="Clear"/>.</summary>
        public void Finish()
        {
            if (Algorithm == ChecksumAlgorithm.LaneSum)
            {
                if (IsFull) LaneSumState.FinishFour(ref _laneSums[0], ref _laneSums[1], ref _laneSums[2], ref _laneSums[3], _values);
                else for (int i = 0; i < Count; i++) _values[i] = _laneSums[i].Finish();
            }

            _finished = true;
        }

        public int Tag(int i) => _tags[i];

        public uint Value(int i)
        {
            if (!_finished || i >= Count) throw new InvalidOperationException("That checksum is not finished.");
            return _values[i];
        }

        public void Clear()
        {
            Count = 0;
            _finished = false;
        }
    }
}
