using System;

namespace PSSharedMemory
{
    /// <summary>
    /// LaneSum over a payload that arrives in pieces, as a value copied in chunks does. Every piece but the
    /// last must be whole 16-byte blocks, because the zero padding belongs at the end of the payload only.
    /// </summary>
    internal struct LaneSumState
    {
        private ulong _a0, _a1, _a2, _a3, _b0, _b1, _b2, _b3;
        private long _length;
        private bool _padded;

        public void Append(byte[] data, int index, int count)
        {
            if (data is null) throw new ArgumentNullException(nameof(data));
            if (index < 0 || count < 0 || index > data.Length - count) throw new ArgumentOutOfRangeException(nameof(count));
            if (count == 0) return;
            RequireUnpadded();

            int whole = count & ~15;
            // AppendSums counts the bytes the vector code was given.
            int vectored = LaneSumVectors.Enabled && whole >= LaneSumVectors.Stride ? LaneSumVectors.AppendStrides(ref this, data, index, whole) : 0;
            AppendBlocks(data, index + vectored, whole - vectored);
            if (whole < count) AppendPaddedBlock(data, index + whole, count - whole);
        }

        /// <summary>Adds whole 16-byte blocks in scalar code, which defines what the vector code must agree with.</summary>
        public void AppendBlocks(byte[] data, int index, int count)
        {
            if (count % 16 != 0) throw new ArgumentOutOfRangeException(nameof(count));
            RequireUnpadded();
            for (int i = index, stop = index + count; i < stop; i += 16)
            {
                AddBlock(BitConverter.ToUInt64(data, i), BitConverter.ToUInt64(data, i + 8));
            }

            _length += count;
        }

        /// <summary>
        /// Adds the sums of <paramref name="bytes"/> bytes of whole blocks that vector code computed starting
        /// from zero, as if each block had been added here: every A carried in adds to B once per block.
        /// </summary>
        public void AppendSums(long bytes, ulong a0, ulong a1, ulong a2, ulong a3, ulong b0, ulong b1, ulong b2, ulong b3)
        {
            if (bytes < 0 || bytes % 16 != 0) throw new ArgumentOutOfRangeException(nameof(bytes));
            RequireUnpadded();
            ulong blocks = (ulong)(bytes / 16);
            _b0 += (blocks * _a0) + b0;
            _b1 += (blocks * _a1) + b1;
            _b2 += (blocks * _a2) + b2;
            _b3 += (blocks * _a3) + b3;
            _a0 += a0;
            _a1 += a1;
            _a2 += a2;
            _a3 += a3;
            _length += bytes;
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

        private void AddBlock(ulong low, ulong high)
        {
            _a0 += (uint)low;
            _a1 += low >> 32;
            _a2 += (uint)high;
            _a3 += high >> 32;
            _b0 += _a0;
            _b1 += _a1;
            _b2 += _a2;
            _b3 += _a3;
        }

        /// <summary>The last, partial block, zero-padded without allocating: a queue checksums every message.</summary>
        private void AppendPaddedBlock(byte[] data, int index, int count)
        {
            ulong low = 0, high = 0;
            for (int k = 0; k < count; k++)
            {
                ulong b = data[index + k];
                if (k < 8) low |= b << (8 * k);
                else high |= b << (8 * (k - 8));
            }

            AddBlock(low, high);
            _length += count;
            _padded = true;
        }

        private void RequireUnpadded()
        {
            if (_padded) throw new InvalidOperationException("A partial block already ended this payload.");
        }

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
