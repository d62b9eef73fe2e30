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

        public static uint Compute(byte[] data) => Compute(data, 0, data.Length);

        public static unsafe uint Compute(byte[] data, int index, int count)
        {
            uint crc = 0xFFFFFFFFu;
            fixed (byte* start = data)
            fixed (uint* t = Table)
            {
                byte* p = start + index;
                while (count >= 8)
                {
                    uint one = *(uint*)p ^ crc;
                    uint two = *(uint*)(p + 4);
                    crc = t[(7 * 256) + (one & 0xFF)] ^ t[(6 * 256) + ((one >> 8) & 0xFF)] ^
                          t[(5 * 256) + ((one >> 16) & 0xFF)] ^ t[(4 * 256) + (one >> 24)] ^
                          t[(3 * 256) + (two & 0xFF)] ^ t[(2 * 256) + ((two >> 8) & 0xFF)] ^
                          t[(1 * 256) + ((two >> 16) & 0xFF)] ^ t[two >> 24];
                    p += 8;
                    count -= 8;
                }

                while (count-- > 0)
                {
                    crc = t[(crc ^ *p++) & 0xFF] ^ (crc >> 8);
                }
            }

            return ~crc;
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
