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

        /// <summary>Each message's LaneSum sums from zero, <see cref="LaneSumState.SumWords"/> words apiece.</summary>
        private readonly ulong[] _sums = new ulong[Capacity * LaneSumState.SumWords];
        private readonly long[] _lengths = new long[Capacity];
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
                int at = Count * LaneSumState.SumWords;
                if (!LaneSumVectors.Enabled || !LaneSumVectors.TrySum(data, index, count, _sums, at))
                {
                    var sum = default(LaneSumState);
                    sum.Append(data, index, count);
                    sum.CopySumsTo(_sums, at);
                }

                _lengths[Count] = count;
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
                // Fewer than four: the slots past Count hold an earlier message's sums, finished to no use, as fast.
                LaneSumState.FinishFour(_sums, _lengths, _values);
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
