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
    /// It is a Fletcher-style sum rather than a CRC because it costs a handful of additions per 16 bytes,
    /// and fewer still per 64 bytes in vector code, which matters when every byte written and read is checked.
    /// </summary>
    internal static class LaneSum
    {
        public static uint Compute(byte[] data) => Compute(data, 0, data.Length);

        public static uint Compute(byte[] data, int index, int count)
        {
            var state = default(LaneSumState);
            state.Append(data, index, count);
            return state.Finish();
        }
    }
}
