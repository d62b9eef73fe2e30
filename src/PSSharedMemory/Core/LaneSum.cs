using System;

namespace PSSharedMemory
{
    /// <summary>
    /// The LaneSum checksum (docs/layout.md gives the definition other languages implement). The payload,
    /// zero-padded to a multiple of 16 bytes, is read as blocks of four little-endian 32-bit words; lane
    /// <c>l</c> keeps <c>A[l] += word[l]</c> and <c>B[l] += A[l]</c> per block, in 64 bits. A, without
    /// wrapping below 16 GiB, changes with any changed word; B, weighting each word by its distance from
    /// the end, changes when two changes cancel in A. The eight sums and the length are then mixed
    /// (MurmurHash3's 64-bit finaliser) down to 32 bits.
    /// It is a Fletcher-style sum rather than a CRC because it costs a handful of additions per 16 bytes in
    /// plain managed code, which matters when every byte written and read is checked.
    /// </summary>
    internal static class LaneSum
    {
        public static uint Compute(byte[] data) => Compute(data, 0, data.Length);

        public static uint Compute(byte[] data, int index, int count)
        {
            if (data is null) throw new ArgumentNullException(nameof(data));
            if (index < 0 || count < 0 || index > data.Length - count) throw new ArgumentOutOfRangeException(nameof(count));
            ulong a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
            int i = index, stop = index + count, whole = index + (count & ~15);
            while (true)
            {
                ulong low, high;
                if (i < whole)
                {
                    low = BitConverter.ToUInt64(data, i);
                    high = BitConverter.ToUInt64(data, i + 8);
                    i += 16;
                }
                else if (i < stop)
                {
                    // The last, partial block, zero-padded without allocating: a queue checksums every message.
                    low = 0;
                    high = 0;
                    for (int k = 0; i + k < stop; k++)
                    {
                        ulong b = data[i + k];
                        if (k < 8) low |= b << (8 * k);
                        else high |= b << (8 * (k - 8));
                    }

                    i = stop;
                }
                else
                {
                    break;
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

            ulong h = (ulong)count;
            h = Mix(h ^ a0);
            h = Mix(h ^ a1);
            h = Mix(h ^ a2);
            h = Mix(h ^ a3);
            h = Mix(h ^ b0);
            h = Mix(h ^ b1);
            h = Mix(h ^ b2);
            h = Mix(h ^ b3);
            return (uint)(h ^ (h >> 32));
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
