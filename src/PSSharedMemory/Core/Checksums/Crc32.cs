using System;

namespace PSSharedMemory
{
    /// <summary>
    /// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320): the checksum of zlib, PNG and Python's
    /// <c>zlib.crc32</c>, so a reader in another language needs nothing special to verify a value.
    /// Slicing-by-8 because a checksum runs over every byte written and read.
    /// </summary>
    internal static class Crc32
    {
        private static readonly uint[] Table = BuildTable();

        /// <summary>The register before the first byte; <see cref="Finish"/> turns a register into the CRC.</summary>
        public const uint Initial = 0xFFFFFFFFu;

        public static uint Compute(byte[] data) => Compute(data, 0, data.Length);

        public static uint Compute(byte[] data, int index, int count) => Finish(Append(Initial, data, index, count));

        public static uint Finish(uint register) => ~register;

        /// <summary>Runs <paramref name="count"/> more bytes through the register, so that a payload can be checked in pieces.</summary>
        public static uint Append(uint register, byte[] data, int index, int count)
        {
            if (data is null) throw new ArgumentNullException(nameof(data));
            if (index < 0 || count < 0 || index > data.Length - count) throw new ArgumentOutOfRangeException(nameof(count));
            uint[] t = Table;
            uint crc = register;
            int i = index;
            int end = index + count;
            for (; i + 8 <= end; i += 8)
            {
                uint one = (data[i] | ((uint)data[i + 1] << 8) | ((uint)data[i + 2] << 16) | ((uint)data[i + 3] << 24)) ^ crc;
                uint two = data[i + 4] | ((uint)data[i + 5] << 8) | ((uint)data[i + 6] << 16) | ((uint)data[i + 7] << 24);
                crc = t[(7 * 256) + (one & 0xFF)] ^ t[(6 * 256) + ((one >> 8) & 0xFF)] ^
                      t[(5 * 256) + ((one >> 16) & 0xFF)] ^ t[(4 * 256) + (one >> 24)] ^
                      t[(3 * 256) + (two & 0xFF)] ^ t[(2 * 256) + ((two >> 8) & 0xFF)] ^
                      t[(1 * 256) + ((two >> 16) & 0xFF)] ^ t[two >> 24];
            }

            for (; i < end; i++)
            {
                crc = t[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
            }

            return crc;
        }

        private static uint[] BuildTable()
        {
            var table = new uint[8 * 256];
            for (uint i = 0; i < 256; i++)
            {
                uint c = i;
                for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
                table[i] = c;
            }

            for (int i = 0; i < 256; i++)
            {
                for (int slice = 1; slice < 8; slice++)
                {
                    uint previous = table[((slice - 1) * 256) + i];
                    table[(slice * 256) + i] = (previous >> 8) ^ table[previous & 0xFF];
                }
            }

            return table;
        }
    }
}
