using System;
using System.Text;

namespace PSSharedMemory.Serialization
{
    /// <summary>
    /// The bytes of one flat object as they are written, little-endian as BinaryWriter writes them, into a buffer
    /// that each thread keeps from one object to the next: a queue encodes every pipeline object on its own,
    /// and a MemoryStream, a BinaryWriter and an array for every string cost it more than the writing itself.
    /// </summary>
    internal sealed class FlatObjectWriter
    {
        /// <summary>A buffer grown past this is not kept for the thread's next object.</summary>
        private const int KeptCapacity = 64 * 1024;

        /// <summary>Texts longer than this, in UTF-16 units, are measured before they are written.</summary>
        private const int MeasuredAbove = 64 * 1024;

        [ThreadStatic]
        private static FlatObjectWriter? t_kept;

        private byte[] _buffer = new byte[256];

        /// <summary>Bytes written so far.</summary>
        public int Length { get; private set; }

        /// <summary>This thread's writer, emptied; hand it back with <see cref="Release"/>.</summary>
        public static FlatObjectWriter Rent()
        {
            FlatObjectWriter writer = t_kept ?? new FlatObjectWriter();
            t_kept = null;
            writer.Length = 0;
            return writer;
        }

        /// <summary>Keeps the writer for the thread's next object, unless it grew large.</summary>
        public void Release()
        {
            if (_buffer.Length <= KeptCapacity) t_kept = this;
        }

        public byte[] ToArray()
        {
            var bytes = new byte[Length];
            Buffer.BlockCopy(_buffer, 0, bytes, 0, Length);
            return bytes;
        }

        public void Byte(byte value) => _buffer[Reserve(1)] = value;

        public void UInt16(ushort value) => LittleEndian(value, 2);

        public void Int32(int value) => LittleEndian((uint)value, 4);

        public void Int64(long value) => LittleEndian((ulong)value, 8);

        /// <summary>Writes a 16-bit value over two bytes written earlier, at <paramref name="at"/>.</summary>
        public void UInt16At(int at, ushort value)
        {
            if (at < 0 || at > Length - 2) throw new ArgumentOutOfRangeException(nameof(at));
            LittleEndianAt(at, value, 2);
        }

        public void Bytes(byte[] bytes)
        {
            int at = Reserve(bytes.Length);
            Buffer.BlockCopy(bytes, 0, _buffer, at, bytes.Length);
        }

        /// <summary>
        /// Strict UTF-8 of <paramref name="text"/> after its byte count, written as <paramref name="lengthBytes"/>
        /// (2 or 4) bytes; false, with nothing written, for text without a UTF-8 form (a lone surrogate) or longer
        /// than such a count can say.
        /// </summary>
        public bool Text(string text, int lengthBytes)
        {
            int start = Length;
            int countAt = Reserve(lengthBytes);
            int count;
            try
            {
                // Three bytes for each UTF-16 unit is the most UTF-8 takes (a surrogate pair's four bytes cover two
                // units); a long text is measured instead, rather than given three times its length.
                EnsureRoom(text.Length <= MeasuredAbove ? text.Length * 3 : ValueCodec.StrictUtf8.GetByteCount(text));
                count = ValueCodec.StrictUtf8.GetBytes(text, 0, text.Length, _buffer, Length);
            }
            catch (EncoderFallbackException)
            {
                Length = start;
                return false;
            }

            if (lengthBytes == 2 && count > ushort.MaxValue)
            {
                Length = start;
                return false;
            }

            LittleEndianAt(countAt, (uint)count, lengthBytes);
            Length += count;
            return true;
        }

        private void LittleEndian(ulong value, int size) => LittleEndianAt(Reserve(size), value, size);

        private void LittleEndianAt(int at, ulong value, int size)
        {
            for (int i = 0; i < size; i++) _buffer[at + i] = (byte)(value >> (8 * i));
        }

        /// <summary>Takes <paramref name="count"/> bytes at the end and returns where they start.</summary>
        private int Reserve(int count)
        {
            EnsureRoom(count);
            int at = Length;
            Length += count;
            return at;
        }

        private void EnsureRoom(int count)
        {
            if (count <= _buffer.Length - Length) return;
            long wanted = Math.Max((long)Length + count, 2L * _buffer.Length);
            Array.Resize(ref _buffer, (int)Math.Min(wanted, int.MaxValue));
            if (count > _buffer.Length - Length) throw new InvalidOperationException("an object too large for one flat payload");
        }
    }
}
