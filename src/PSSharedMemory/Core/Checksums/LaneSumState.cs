using System;
using System.Runtime.CompilerServices;

namespace PSSharedMemory
{
    /// <summary>
    /// LaneSum over a payload that arrives in pieces, as a value copied in chunks does. Every piece but the
    /// last must be whole 16-byte blocks, because the zero padding belongs at the end of the payload only.
    /// </summary>
    internal struct LaneSumState
    {
        /// <summary>Words of the sums, A then B, as <see cref="CopySumsTo"/> writes them and <see cref="FinishFour"/> reads them.</summary>
        public const int SumWords = 8;

        private ulong _a0, _a1, _a2, _a3, _b0, _b1, _b2, _b3;
        private long _length;
        private bool _padded;

        public void Append(byte[] data, int index, int count) => Append(data, index, count, LaneSumVectors.Enabled);

        /// <summary>Adds bytes in scalar code, which defines what the vector code must agree with.</summary>
        public void AppendScalar(byte[] data, int index, int count) => Append(data, index, count, vectors: false);

        private void Append(byte[] data, int index, int count, bool vectors)
        {
            if (data is null) throw new ArgumentNullException(nameof(data));
            if (index < 0 || count < 0 || index > data.Length - count) throw new ArgumentOutOfRangeException(nameof(count));
            if (count == 0) return;
            RequireUnpadded();
            if (vectors) LaneSumVectors.Append(ref this, data, index, count);
            else AddScalar(data, index, count);
        }

        /// <summary>
        /// Adds <paramref name="count"/> bytes as blocks, the last one zero-padded if partial (which ends the
        /// payload). In locals, which stay in registers: a queue sums every message, most of them short, and
        /// the fields would be loaded and stored again at every block.
        /// </summary>
        private void AddScalar(byte[] data, int index, int count)
        {
            ulong a0 = _a0, a1 = _a1, a2 = _a2, a3 = _a3, b0 = _b0, b1 = _b1, b2 = _b2, b3 = _b3;
            for (int i = index, end = index + count; i < end; i += 16)
            {
                ulong low, high;
                if (end - i >= 16)
                {
                    low = BitConverter.ToUInt64(data, i);
                    high = BitConverter.ToUInt64(data, i + 8);
                }
                else
                {
                    (low, high) = PaddedBlock(data, i, end - i);
                    _padded = true;
                }

                a0 += (uint)low;
                a1 += low >> 32;
                a2 += (uint)high;
                a3 += high >> 32;
                b0 += a0;
                b1 += a1;
                b2 += a2;
                b3 += a3;
            }

            _a0 = a0;
            _a1 = a1;
            _a2 = a2;
            _a3 = a3;
            _b0 = b0;
            _b1 = b1;
            _b2 = b2;
            _b3 = b3;
            _length += count;
        }

        /// <summary>
        /// Adds the sums of <paramref name="bytes"/> bytes that vector code computed starting from zero, as if each
        /// block had been added here: every A carried in adds to B once per block. A partial last block, which the
        /// vector code summed zero-padded, ends the payload.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void AppendSums(long bytes, ulong a0, ulong a1, ulong a2, ulong a3, ulong b0, ulong b1, ulong b2, ulong b3)
        {
            if (bytes < 0) throw new ArgumentOutOfRangeException(nameof(bytes));
            RequireUnpadded();
            ulong blocks = (ulong)((bytes + 15) / 16);
            _b0 += (blocks * _a0) + b0;
            _b1 += (blocks * _a1) + b1;
            _b2 += (blocks * _a2) + b2;
            _b3 += (blocks * _a3) + b3;
            _a0 += a0;
            _a1 += a1;
            _a2 += a2;
            _a3 += a3;
            _length += bytes;
            _padded = bytes % 16 != 0;
        }

        public uint Finish()
        {
            ulong h = (ulong)_length;
            h = Mix(h ^ _a0);
            h = Mix(h ^ _a1);
            h = Mix(h ^ _a2);
            h = Mix(h ^ _a3);
            h = Mix(h ^ _b0);
            h = Mix(h ^ _b1);
            h = Mix(h ^ _b2);
            h = Mix(h ^ _b3);
            return (uint)(h ^ (h >> 32));
        }

        /// <summary>The sums, A then B, into <paramref name="sums"/> from <paramref name="at"/>, for <see cref="FinishFour"/>.</summary>
        public void CopySumsTo(ulong[] sums, int at)
        {
            if (sums is null) throw new ArgumentNullException(nameof(sums));
            if (at < 0 || at > sums.Length - SumWords) throw new ArgumentOutOfRangeException(nameof(at));
            sums[at] = _a0;
            sums[at + 1] = _a1;
            sums[at + 2] = _a2;
            sums[at + 3] = _a3;
            sums[at + 4] = _b0;
            sums[at + 5] = _b1;
            sums[at + 6] = _b2;
            sums[at + 7] = _b3;
        }

        /// <summary>Bytes summed so far.</summary>
        public long Length => _length;

        /// <summary>
        /// Finishes four sums at once, into <paramref name="values"/>[0..3]: payload k's sums are
        /// <paramref name="sums"/>[8k..8k+7] (<see cref="CopySumsTo"/>) and its length <paramref name="lengths"/>[k].
        /// One <see cref="Finish"/> is a chain of eight mixes, each waiting on the last: about 35 ns on the 2-core
        /// machines, a third of all the work a 100-byte queue message costs each side. Four chains interleaved
        /// take about as long as one.
        /// </summary>
        public static void FinishFour(ulong[] sums, long[] lengths, uint[] values)
        {
            if (sums is null || sums.Length < 4 * SumWords) throw new ArgumentException("Four payloads' sums are finished at once.", nameof(sums));
            if (lengths is null || lengths.Length < 4) throw new ArgumentException("Four payloads' lengths are finished at once.", nameof(lengths));
            if (values is null || values.Length < 4) throw new ArgumentException("Four values are finished at once.", nameof(values));
            ulong h0 = (ulong)lengths[0], h1 = (ulong)lengths[1], h2 = (ulong)lengths[2], h3 = (ulong)lengths[3];
            for (int word = 0; word < SumWords; word++)
            {
                MixFour(ref h0, ref h1, ref h2, ref h3, sums[word], sums[SumWords + word], sums[(2 * SumWords) + word], sums[(3 * SumWords) + word]);
            }

            values[0] = (uint)(h0 ^ (h0 >> 32));
            values[1] = (uint)(h1 ^ (h1 >> 32));
            values[2] = (uint)(h2 ^ (h2 >> 32));
            values[3] = (uint)(h3 ^ (h3 >> 32));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void MixFour(ref ulong h0, ref ulong h1, ref ulong h2, ref ulong h3, ulong x0, ulong x1, ulong x2, ulong x3)
        {
            h0 = Mix(h0 ^ x0);
            h1 = Mix(h1 ^ x1);
            h2 = Mix(h2 ^ x2);
            h3 = Mix(h3 ^ x3);
        }

        /// <summary>The last, partial block of <paramref name="count"/> bytes, zero-padded without allocating.</summary>
        private static (ulong Low, ulong High) PaddedBlock(byte[] data, int index, int count)
        {
            ulong low = 0, high = 0;
            for (int k = count - 1; k >= 8; k--) high = (high << 8) | data[index + k];
            if (count >= 8) return (BitConverter.ToUInt64(data, index), high);
            for (int k = count - 1; k >= 0; k--) low = (low << 8) | data[index + k];
            return (low, high);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void RequireUnpadded()
        {
            if (_padded) throw new InvalidOperationException("A partial block already ended this payload.");
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static ulong Mix(ulong x)
        {
            x ^= x >> 33;
            x *= 0xff51afd7ed558ccdUL;
            x ^= x >> 33;
            x *= 0xc4ceb9fe1a85ec53UL;
            x ^= x >> 33;
            return x;
        }
    }
}
