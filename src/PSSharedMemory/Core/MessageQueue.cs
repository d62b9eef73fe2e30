using System;

namespace PSSharedMemory
{
    /// <summary>
    /// A first-in, first-out ring of variable-length messages in a queue segment's data area; every method is
    /// called with the segment's lock held. Layout (docs/layout.md): the header's bytes 32..55 hold
    /// <c>u64 head</c>, <c>u64 tail</c> (byte positions that only grow; the ring offset is position mod ring
    /// size) and <c>u64 count</c>. A record is <c>u32 length, u32 kind, u32 checksum, u32 reserved</c>, the
    /// payload, and padding to 8 bytes; a length of 0xFFFFFFFF marks the unused end of the ring before it
    /// wraps. A record is committed by storing the new tail (consumed by storing the new head), one aligned
    /// store each, so a process that dies mid-operation leaves the message wholly there or wholly absent.
    /// </summary>
    internal sealed class MessageQueue
    {
        public const int RecordHeader = 16;
        private const long HeadOffset = 32;
        private const long TailOffset = 40;
        private const long CountOffset = 48;
        private const uint WrapMarker = 0xFFFFFFFF;

        private readonly MappedMemory _memory;
        private readonly string _name;
        private readonly long _ring;
        private readonly SegmentHeader _header;

        public MessageQueue(MappedMemory memory, SegmentHeader header, long capacity, string name)
        {
            _memory = memory;
            _header = header;
            _name = name;
            _ring = capacity & ~7L;
        }

        /// <summary>The largest payload that fits in the empty ring.</summary>
        public long MaxPayload => _ring - RecordHeader;

        public long Count => (long)Math.Min(_memory.ReadUInt64(CountOffset), long.MaxValue);

        public long FreeBytes => _ring - UsedBytes;

        /// <summary>Ring bytes that records (with their headers, padding and any wrap gap) occupy.</summary>
        public long UsedBytes
        {
            get
            {
                (long head, long tail) = Positions();
                return tail - head;
            }
        }

        /// <summary>Appends a message; false when the ring has no room for it now (nothing changed).</summary>
        public bool TryEnqueue(PayloadKind kind, byte[] payload) => TryEnqueue(kind, payload, null);

        /// <summary>Appends a message whose checksum was computed ahead; recomputed if the segment's algorithm is not the one it was computed with.</summary>
        public bool TryEnqueue(QueueMessage message) => TryEnqueue(message.Kind, message.Payload, message);

        private bool TryEnqueue(PayloadKind kind, byte[] payload, QueueMessage? prepared)
        {
            if (!PayloadKinds.IsMessage(kind)) throw new ArgumentOutOfRangeException(nameof(kind));
            long need = RecordSize(payload.LongLength);
            (long head, long tail) = Positions();
            long at = Place(head, ref tail, need);
            if (at < 0) return false;

            _memory.WriteUInt32(Data(at), (uint)payload.Length);
            _memory.WriteUInt32(Data(at) + 4, (uint)kind);
            ChecksumAlgorithm algorithm = _header.ValidatedChecksum(_name);
            uint checksum;
            if (prepared is not null && prepared.Algorithm == algorithm)
            {
                _memory.Write(Data(at) + RecordHeader, payload, 0, payload.Length);
                checksum = prepared.Checksum;
            }
            else
            {
                var sum = new PayloadChecksum(algorithm);
                sum.CopyIn(_memory, Data(at) + RecordHeader, payload, 0, payload.Length);
                checksum = sum.Value;
            }

            _memory.WriteUInt32(Data(at) + 8, checksum);
            _memory.WriteUInt32(Data(at) + 12, 0);
            Commit(tail + need, 1);
            return true;
        }

        /// <summary>
        /// Appends the batch's records from <paramref name="first"/> on, as many as there is room for now, each
        /// run that fits before the end of the ring in one copy; returns how many. The tail is stored once, after
        /// the last copy: a process that dies before it leaves none of them in the queue.
        /// </summary>
        public int TryEnqueue(MessageBatch batch, int first)
        {
            if (batch.Algorithm != _header.ValidatedChecksum(_name)) throw new ArgumentException("The batch was made for a queue with another checksum algorithm.", nameof(batch));
            if (first < 0 || first > batch.Count) throw new ArgumentOutOfRangeException(nameof(first));
            (long head, long tail) = Positions();
            int next = first;
            while (next < batch.Count)
            {
                int start = batch.RecordStart(next);
                long at = Place(head, ref tail, batch.RecordEnd(next) - start);
                if (at < 0) break;
                long room = Math.Min(_ring - at, _ring - (tail - head));
                int last = next;
                while (last + 1 < batch.Count && batch.RecordEnd(last + 1) - start <= room) last++;
                int bytes = batch.RecordEnd(last) - start;
                _memory.Write(Data(at), batch.Records, start, bytes);
                tail += bytes;
                next = last + 1;
            }

            if (next == first) return 0;
            Commit(tail, next - first);
            return next - first;
        }

        /// <summary>
        /// Where a record of <paramref name="need"/> bytes goes at the tail: its ring offset, or -1 when there is
        /// no room now. A record that does not fit before the end of the ring goes at its start: the gap gets a
        /// wrap marker and <paramref name="tail"/> moves past it (committed only with the record).
        /// </summary>
        private long Place(long head, ref long tail, long need)
        {
            if (need > _ring)
            {
                throw Errors.Create(SharedMemoryError.ValueTooLarge, _name, nameof(Resources.Messages.MessageTooLarge), need, _name, _ring);
            }

            long at = tail % _ring;
            long waste = need > _ring - at ? _ring - at : 0;
            if (waste + need > _ring - (tail - head)) return -1;
            if (waste == 0) return at;
            _memory.WriteUInt32(Data(at), WrapMarker);
            tail += waste;
            return 0;
        }

        /// <summary>Gives back the ring up to <paramref name="head"/>: one aligned store of the new head, then the advisory count.</summary>
        private void Consume(long head, int taken)
        {
            FaultInjection.Pause?.Invoke("record-read");
            _memory.WriteUInt64(HeadOffset, (ulong)head); // the commit point
            _memory.WriteUInt64(CountOffset, (ulong)Math.Max(0, Count - taken));
        }

        /// <summary>Publishes records written past the tail: one aligned store of the new tail, then the advisory count.</summary>
        private void Commit(long tail, int added)
        {
            FaultInjection.Pause?.Invoke("record-written");
            _memory.WriteUInt64(TailOffset, (ulong)tail); // the commit point
            _memory.WriteUInt64(CountOffset, (ulong)(Count + added));
        }

        /// <summary>
        /// Takes the oldest messages, as many whole records as fit in <paramref name="buffer"/>, each run up to the
        /// end of the ring in one copy; returns how many (0 when the queue is empty). Their headers are checked
        /// here, their checksums when they are read from the buffer. The head is stored once, after the copies.
        /// </summary>
        public int TryDequeue(MessageBuffer buffer)
        {
            buffer.Reset(_header.ValidatedChecksum(_name), _name);
            (long head, long tail) = Positions();
            int used = 0;
            bool full = false;
            while (head < tail && !full)
            {
                long at = head % _ring;
                if (_memory.ReadUInt32(Data(at)) == WrapMarker)
                {
                    head += _ring - at;
                    if (head > tail) throw Corrupt("wrap marker");
                    continue;
                }

                // A run of whole records up to the end of the ring, the tail, or the end of the room in the buffer.
                long runEnd = Math.Min(tail - head, _ring - at);
                long run = 0;
                while (run < runEnd)
                {
                    uint length = _memory.ReadUInt32(Data(at + run));
                    if (length == WrapMarker) break;
                    long size = RecordSize(length);
                    string? damage = Damage(at + run, length, runEnd - run);
                    if (damage is not null)
                    {
                        // Take the whole records before it; the next call reports the damage, as TryDequeue() does.
                        if (buffer.Count == 0) throw Corrupt(damage);
                        full = true;
                        break;
                    }

                    if (size > buffer.Capacity - used - run)
                    {
                        if (buffer.Count == 0)
                        {
                            throw Errors.Create(SharedMemoryError.ValueTooLarge, _name, nameof(Resources.Messages.BufferTooSmall), length, _name, buffer.Capacity - RecordHeader);
                        }

                        full = true;
                        break;
                    }

                    buffer.Add(used + (int)run);
                    run += size;
                }

                _memory.Read(Data(at), buffer.Buffer, used, (int)run);
                used += (int)run;
                head += run;
            }

            if (buffer.Count == 0) return 0;
            Consume(head, buffer.Count);
            return buffer.Count;
        }

        /// <summary>Takes the oldest message, or returns null when the queue is empty.</summary>
        public StoredValue? TryDequeue()
        {
            Record? next = Next();
            if (next is not Record record) return null;
            var payload = new byte[record.Length];
            Take(record, payload, 0);
            return new StoredValue(record.Kind, payload);
        }

        /// <summary>
        /// Takes the oldest message into <paramref name="buffer"/> at <paramref name="index"/>, allocating
        /// nothing: its length, or -1 when the queue is empty. A message longer than the room left in the
        /// buffer throws <see cref="SharedMemoryError.ValueTooLarge"/> and stays in the queue.
        /// </summary>
        public int TryDequeue(byte[] buffer, int index, out PayloadKind kind)
        {
            kind = PayloadKind.None;
            Record? next = Next();
            if (next is not Record record) return -1;
            if (record.Length > buffer.Length - index)
            {
                throw Errors.Create(SharedMemoryError.ValueTooLarge, _name, nameof(Resources.Messages.BufferTooSmall), record.Length, _name, buffer.Length - index);
            }

            Take(record, buffer, index);
            kind = record.Kind;
            return record.Length;
        }

        /// <summary>The oldest record, checked against the ring but not yet against its checksum; null when empty.</summary>
        private Record? Next()
        {
            (long head, long tail) = Positions();
            if (head == tail) return null;
            long at = head % _ring;
            uint length = _memory.ReadUInt32(Data(at));
            if (length == WrapMarker)
            {
                head += _ring - at;
                at = 0;
                if (head > tail) throw Corrupt("wrap marker");
                if (head == tail) return null;
                length = _memory.ReadUInt32(Data(at));
            }

            string? damage = Damage(at, length, Math.Min(_ring - at, tail - head));
            if (damage is not null) throw Corrupt(damage);
            var kind = (PayloadKind)_memory.ReadUInt32(Data(at) + 4);
            return new Record(at, (int)length, kind, _memory.ReadUInt32(Data(at) + 8), head + RecordSize(length));
        }

        /// <summary>
        /// What is wrong with the header of the record at ring offset <paramref name="at"/>, whose length field
        /// says <paramref name="length"/> and which has <paramref name="room"/> bytes before the tail or the end of
        /// the ring; null when nothing is. Another process can write anything there.
        /// </summary>
        private string? Damage(long at, uint length, long room) =>
            length > MaxPayload || RecordSize(length) > room ? "record length"
            : !PayloadKinds.IsMessage((PayloadKind)_memory.ReadUInt32(Data(at) + 4)) ? "record kind"
            : null;

        /// <summary>Copies the record's payload out, checks it there (no other process can change our copy), then consumes the record.</summary>
        private void Take(Record record, byte[] destination, int index)
        {
            var checksum = new PayloadChecksum(_header.ValidatedChecksum(_name));
            checksum.CopyOut(_memory, Data(record.At) + RecordHeader, destination, index, record.Length);
            if (checksum.Value != record.Checksum) throw Corrupt("record checksum");
            Consume(record.NextHead, 1);
        }

        /// <summary>Recounts the messages after a process died mid-operation, when the count may be off by one.</summary>
        public void Recount()
        {
            (long head, long tail) = Positions();
            long count = 0;
            while (head < tail)
            {
                long at = head % _ring;
                uint length = _memory.ReadUInt32(Data(at));
                if (length == WrapMarker)
                {
                    head += _ring - at;
                    continue;
                }

                long size = RecordSize(length);
                if (length > MaxPayload || size > _ring - at) throw Corrupt("record length");
                head += size;
                count++;
            }

            _memory.WriteUInt64(CountOffset, (ulong)count);
        }

        private (long Head, long Tail) Positions()
        {
            ulong head = _memory.ReadUInt64(HeadOffset);
            ulong tail = _memory.ReadUInt64(TailOffset);
            if (tail < head || tail - head > (ulong)_ring || head % 8 != 0 || tail % 8 != 0 || tail > long.MaxValue) throw Corrupt("head or tail");
            return ((long)head, (long)tail);
        }

        private static long Align(long length) => (length + 7) & ~7L;

        /// <summary>Ring bytes a record with a payload of <paramref name="payloadLength"/> bytes takes.</summary>
        public static long RecordSize(long payloadLength) => RecordHeader + Align(payloadLength);

        private static long Data(long ringOffset) => SegmentHeader.Size + ringOffset;

        private readonly struct Record
        {
            public Record(long at, int length, PayloadKind kind, uint checksum, long nextHead)
            {
                At = at;
                Length = length;
                Kind = kind;
                Checksum = checksum;
                NextHead = nextHead;
            }

            public long At { get; }

            public int Length { get; }

            public PayloadKind Kind { get; }

            public uint Checksum { get; }

            public long NextHead { get; }
        }

        private SharedMemoryException Corrupt(string field) =>
            Errors.Create(SharedMemoryError.Corrupted, _name, nameof(Resources.Messages.HeaderCorrupted), _name, field);
    }
}
