using System;
using System.Buffers.Binary;

namespace PSSharedMemory.TestWorker
{
    /// <summary>
    /// A payload that proves its own integrity: writer id, sequence number, length, random bytes, and a
    /// checksum over all of it that is independent of the module's own.
    /// </summary>
    public static class CheckedPayload
    {
        private const int Prefix = 16;
        private const int Suffix = 8;

        public static byte[] Create(int writer, long sequence, int length, Random random)
        {
            var payload = new byte[Math.Max(length, Prefix + Suffix)];
            BinaryPrimitives.WriteInt32LittleEndian(payload, writer);
            BinaryPrimitives.WriteInt64LittleEndian(payload.AsSpan(4), sequence);
            BinaryPrimitives.WriteInt32LittleEndian(payload.AsSpan(12), payload.Length);
            random.NextBytes(payload.AsSpan(Prefix, payload.Length - Prefix - Suffix));
            BinaryPrimitives.WriteUInt64LittleEndian(payload.AsSpan(payload.Length - Suffix), Hash(payload.AsSpan(0, payload.Length - Suffix)));
            return payload;
        }

        /// <summary>The writer and sequence when the payload is whole; null when it is torn or damaged.</summary>
        public static (int Writer, long Sequence)? Check(byte[] payload)
        {
            if (payload.Length < Prefix + Suffix || BinaryPrimitives.ReadInt32LittleEndian(payload.AsSpan(12)) != payload.Length) return null;
            ulong stored = BinaryPrimitives.ReadUInt64LittleEndian(payload.AsSpan(payload.Length - Suffix));
            if (stored != Hash(payload.AsSpan(0, payload.Length - Suffix))) return null;
            return (BinaryPrimitives.ReadInt32LittleEndian(payload), BinaryPrimitives.ReadInt64LittleEndian(payload.AsSpan(4)));
        }

        // FNV-1a, 64-bit: simple, and unrelated to the CRC-32 the module checks with.
        private static ulong Hash(ReadOnlySpan<byte> data)
        {
            ulong hash = 14695981039346656037UL;
            foreach (byte b in data)
            {
                hash ^= b;
                hash *= 1099511628211UL;
            }

            return hash;
        }
    }
}
