using System;

namespace PSSharedMemory
{
    /// <summary>
    /// The byte layout of a queue's ring in a segment's data area (docs/layout.md): the header's bytes 32..55
    /// hold <c>u64 head</c>, <c>u64 tail</c> and <c>u64 written</c>, byte positions that only grow (the ring
    /// offset is position mod ring size); a record is <c>u32 length, u32 kind, u32 checksum, u32 stamp</c>, the
    /// payload, and padding to 8 bytes; a length of 0xFFFFFFFF marks the unused end of the ring before it
    /// wraps. Here are reading the positions, placing a record, the two commit points (a producer's store of
    /// the tail, a consumer's compare-and-swap of the head) and checking what a header says against the ring,
    /// since another process can write anything there.
    /// </summary>
    internal sealed class QueueRing
    {
        public const int RecordHeader = 16;
        private const long HeadOffset = 32;
        private const long TailOffset = 40;

        /// <summary>
        /// <c>u64 written</c>: while a producer writes a long record, how far it has got (a position past the
        /// tail); the tail otherwise. A hint for consumers, who check what they copied once it is committed.
        /// </summary>
        private const long WrittenOffset = 48;

        /// <summary>How many times <see cref="Count"/> walks the ring again when consumers move the head under it.</summary>
        private const int CountAttempts = 100;
        public const uint WrapMarker = 0xFFFFFFFF;

        private readonly MappedMemory _memory;
        private readonly string _name;
        private readonly long _length;
        private readonly SegmentHeader _header;

        public QueueRing(MappedMemory memory, SegmentHeader header, long capacity, string name)
        {
            _memory = memory;
            _header = header;
            _name = name;
            _length = capacity & ~7L;
        }

        public MappedMemory Memory => _memory;

        public string Name => _name;

        /// <summary>Bytes in the ring: the data area rounded down to 8.</summary>
        public long Length => _length;

        /// <summary>The segment's checksum algorithm, as its header says and checked.</summary>
        public ChecksumAlgorithm Checksum => _header.ValidatedChecksum(_name);

        /// <summary>The largest payload that fits in the empty ring.</summary>
        public long MaxPayload => _length - RecordHeader;

        /// <summary>
        /// The messages between the head and the tail, counted by walking their headers (no count is kept in
        /// the segment: a consumer that died between its claim and an update of it would leave it wrong for
        /// good). Records may be taken while it walks; it starts again then, and after a hundred tries it
        /// returns what it counted, a moment old.
        /// </summary>
        public long Count
        {
            get
            {
                long count = 0;
                for (int attempt = 0; attempt < CountAttempts; attempt++)
                {
                    (long head, long tail) = Positions();
                    count = 0;
                    long position = head;
                    while (position < tail)
                    {
                        long at = position % _length;
                        uint length = _memory.ReadUInt32(Data(at));
                        if (length == WrapMarker)
                        {
                            position += _length - at;
                            continue;
                        }

                        if (length > MaxPayload || RecordSize(length) > Math.Min(_length - at, tail - position)) break;
                        position += RecordSize(length);
                        count++;
                    }

                    if (position == tail) return count;
                    if (!Moved(head)) throw Corrupt("record length");
                }

                return count;
            }
        }

        public long FreeBytes => _length - UsedBytes;

        /// <summary>Ring bytes that records (with their headers, padding and any wrap gap) occupy.</summary>
        public long UsedBytes
        {
            get
            {
                (long head, long tail) = Positions();
                return tail - head;
            }
        }

        /// <summary>The committed tail, as a consumer following a record reads it.</summary>
        public long Tail => (long)_memory.ReadUInt64(TailOffset);

        /// <summary>How far a producer writing a long record has got; the tail otherwise.</summary>
        public long Written => (long)_memory.ReadUInt64(WrittenOffset);

        /// <summary>Tells consumers how far a long record is written (a hint: what they copy is checked at the commit).</summary>
        public void PublishWritten(long position) => _memory.WriteUInt64(WrittenOffset, (ulong)position);

        /// <summary>
        /// Forgets how far a producer that died holding the lock had written, so that nobody follows its record.
        /// It runs as the lock is taken, so it never throws: damage is for the operations that follow to report.
        /// </summary>
        public void ForgetUnfinished() => _memory.WriteUInt64(WrittenOffset, _memory.ReadUInt64(TailOffset));

        /// <summary>
        /// Where a record of <paramref name="need"/> bytes goes at the tail: its ring offset, or -1 when there is
        /// no room now. A record that does not fit before the end of the ring goes at its start: the gap gets a
        /// wrap marker and <paramref name="tail"/> moves past it (committed only with the record).
        /// </summary>
        public long Place(long head, ref long tail, long need)
        {
            if (need > _length)
            {
                throw Errors.Create(SharedMemoryError.ValueTooLarge, _name, nameof(Resources.Messages.MessageTooLarge), need, _name, _length);
            }

            long at = tail % _length;
            long waste = need > _length - at ? _length - at : 0;
            if (waste + need > _length - (tail - head)) return -1;
            if (waste == 0) return at;
            _memory.WriteUInt32(Data(at), WrapMarker);
            tail += waste;
            return 0;
        }

        /// <summary>
        /// Claims the records from <paramref name="head"/> to <paramref name="next"/> for this consumer: one
        /// compare-and-swap of the head (the commit point). False when another consumer moved the head first;
        /// what this one copied is then stale, and it starts again.
        /// </summary>
        public bool Claim(long head, long next)
        {
            FaultInjection.Pause?.Invoke("record-read");
            return _memory.CompareExchangeUInt64(HeadOffset, (ulong)next, (ulong)head);
        }

        /// <summary>True when a consumer moved the head since it was read as <paramref name="head"/>: what was read after it may be stale, not damaged.</summary>
        public bool Moved(long head) => (long)_memory.ReadUInt64(HeadOffset) != head;

        /// <summary>Publishes records written past the tail: one aligned store of the new tail (the commit point).</summary>
        public void Commit(long tail)
        {
            FaultInjection.Pause?.Invoke("record-written");
            _memory.WriteUInt64(TailOffset, (ulong)tail);
            _memory.WriteUInt64(WrittenOffset, (ulong)tail);
        }

        /// <summary>Where the record at <paramref name="position"/> starts, past a wrap marker there, and its length field.</summary>
        public (long Start, long At, uint Length) Locate(long position)
        {
            long at = position % _length;
            uint length = _memory.ReadUInt32(Data(at));
            if (length != WrapMarker) return (position, at, length);
            return (position + _length - at, 0, _memory.ReadUInt32(Data(0)));
        }

        /// <summary>
        /// What is wrong with the header of the record at ring offset <paramref name="at"/>, whose length field
        /// says <paramref name="length"/> and which has <paramref name="room"/> bytes before the tail or the end of
        /// the ring; null when nothing is. Another process can write anything there.
        /// </summary>
        public string? Damage(long at, uint length, long room) => Damage(length, _memory.ReadUInt32(Data(at) + 4), room);

        /// <summary>What is wrong with a record header that says <paramref name="length"/> and <paramref name="kind"/>, as <see cref="Damage(long, uint, long)"/>.</summary>
        public string? Damage(uint length, uint kind, long room) =>
            length > MaxPayload || RecordSize(length) > room ? "record length"
            : !PayloadKinds.IsMessage((PayloadKind)kind) ? "record kind"
            : null;

        /// <summary>
        /// The head, then the tail. A consumer may move the head between the two reads, so a pair that looks
        /// wrong is read again; it is damage only when the head stood still.
        /// </summary>
        public (long Head, long Tail) Positions()
        {
            while (true)
            {
                ulong head = _memory.ReadUInt64(HeadOffset);
                ulong tail = _memory.ReadUInt64(TailOffset);
                if (tail >= head && tail - head <= (ulong)_length && head % 8 == 0 && tail % 8 == 0 && tail <= long.MaxValue) return ((long)head, (long)tail);
                if (!Moved((long)head)) throw Corrupt("head or tail");
            }
        }

        private static long Align(long length) => (length + 7) & ~7L;

        /// <summary>Ring bytes a record with a payload of <paramref name="payloadLength"/> bytes takes.</summary>
        public static long RecordSize(long payloadLength) => RecordHeader + Align(payloadLength);

        public static long Data(long ringOffset) => SegmentHeader.Size + ringOffset;

        public SharedMemoryException Corrupt(string field) =>
            Errors.Create(SharedMemoryError.Corrupted, _name, nameof(Resources.Messages.HeaderCorrupted), _name, field);
    }
}
