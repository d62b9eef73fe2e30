using System;
using System.Diagnostics;
using System.Threading;

namespace PSSharedMemory
{
    /// <summary>
    /// A first-in, first-out ring of variable-length messages in a queue segment's data area. Layout
    /// (docs/layout.md): the header's bytes 32..47 hold <c>u64 head</c> and <c>u64 tail</c>, byte positions
    /// that only grow (the ring offset is position mod ring size). A record is <c>u32 length, u32 kind,
    /// u32 checksum, u32 reserved</c>, the payload, and padding to 8 bytes; a length of 0xFFFFFFFF marks the
    /// unused end of the ring before it wraps. Producers hold the segment's lock, write records past the tail
    /// and commit them with one aligned store of the tail. Consumers take no lock: they copy the records at
    /// the head and claim them with one compare-and-swap of the head, which fails when another consumer took
    /// them first; then they start again. Because the head only grows, a claim that succeeds proves that no
    /// producer could reuse those bytes while they were copied, so the copy is whole. A process that dies
    /// mid-operation leaves each message wholly there or wholly gone, and never blocks the other side.
    /// </summary>
    internal sealed class MessageQueue
    {
        public const int RecordHeader = 16;
        private const long HeadOffset = 32;
        private const long TailOffset = 40;

        /// <summary>
        /// <c>u64 written</c>: while a producer writes a long record, how far it has got (a position past the
        /// tail); the tail otherwise. A hint for consumers, who check what they copied once it is committed.
        /// </summary>
        private const long WrittenOffset = 48;

        /// <summary>Payloads at least this long are published piece by piece as they are written.</summary>
        private const int PublishedLength = 256 * 1024;

        /// <summary>
        /// The piece: small enough that a consumer copies it out while it is still in the producer's cache,
        /// which moves a large message between two cores two to four times faster than copying it whole.
        /// </summary>
        private const int PublishedPiece = 64 * 1024;

        /// <summary>How long a consumer following a record waits for its producer to write more before it gives up for now.</summary>
        private static readonly long FollowPatienceTicks = Stopwatch.Frequency / 5000;

        /// <summary>How many times <see cref="Count"/> walks the ring again when consumers move the head under it.</summary>
        private const int CountAttempts = 100;
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
                        long at = position % _ring;
                        uint length = _memory.ReadUInt32(Data(at));
                        if (length == WrapMarker)
                        {
                            position += _ring - at;
                            continue;
                        }

                        if (length > MaxPayload || RecordSize(length) > Math.Min(_ring - at, tail - position)) break;
                        position += RecordSize(length);
                        count++;
                    }

                    if (position == tail) return count;
                    if (!Moved(head)) throw Corrupt("record length");
                }

                return count;
            }
        }

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

            bool publish = payload.Length >= PublishedLength;
            _memory.WriteUInt32(Data(at), (uint)payload.Length);
            _memory.WriteUInt32(Data(at) + 4, (uint)kind);
            // Never 0, and never what the position held before: a consumer that followed a record here
            // whose writer died sees the stamp change when the next one is written over it.
            uint stamp = 0;
            if (publish)
            {
                stamp = _memory.ReadUInt32(Data(at) + 12) + 1;
                if (stamp == 0) stamp = 1;
            }

            _memory.WriteUInt32(Data(at) + 12, stamp);
            ChecksumAlgorithm algorithm = _header.ValidatedChecksum(_name);
            bool summed = prepared is not null && prepared.Algorithm == algorithm;
            var sum = new PayloadChecksum(algorithm);
            int piece = publish ? PublishedPiece : Math.Max(payload.Length, 1);
            for (int done = 0; done < payload.Length; done += piece)
            {
                int count = Math.Min(piece, payload.Length - done);
                // A published piece is summed, then copied while it is in cache, as a consumer reads it meanwhile.
                if (summed) _memory.Write(Data(at) + RecordHeader + done, payload, done, count);
                else if (publish) sum.SumThenCopyIn(_memory, Data(at) + RecordHeader + done, payload, done, count);
                else sum.CopyIn(_memory, Data(at) + RecordHeader + done, payload, done, count);
                if (!publish) continue;
                _memory.WriteUInt64(WrittenOffset, (ulong)(tail + RecordHeader + done + count));
                FaultInjection.Pause?.Invoke("piece-written");
            }

            _memory.WriteUInt32(Data(at) + 8, summed ? prepared!.Checksum : sum.Value);
            Commit(tail + need);
            return true;
        }

        /// <summary>
        /// Forgets how far a producer that died holding the lock had written, so that nobody follows its record.
        /// It runs as the lock is taken, so it never throws: damage is for the operations that follow to report.
        /// </summary>
        public void ForgetUnfinished() => _memory.WriteUInt64(WrittenOffset, _memory.ReadUInt64(TailOffset));

        /// <summary>
        /// Appends the batch's records from <paramref name="first"/> on, as many as there is room for now, each
        /// run that fits before the end of the ring in one copy; returns how many. The tail is stored once, after
        /// the last copy: a process that dies before it leaves none of them in the queue.
        /// </summary>
        public int TryEnqueue(MessageBatch batch, int first)
        {
            if (batch.Algorithm != _header.ValidatedChecksum(_name)) throw new ArgumentException("The batch was made for a queue with another checksum algorithm.", nameof(batch));
            if (first < 0 || first > batch.Count) throw new ArgumentOutOfRangeException(nameof(first));
            byte[] records = batch.RecordsWithChecksums();
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
                _memory.Write(Data(at), records, start, bytes);
                tail += bytes;
                next = last + 1;
            }

            if (next == first) return 0;
            Commit(tail);
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

        /// <summary>
        /// Claims the records from <paramref name="head"/> to <paramref name="next"/> for this consumer: one
        /// compare-and-swap of the head (the commit point). False when another consumer moved the head first;
        /// what this one copied is then stale, and it starts again.
        /// </summary>
        private bool Claim(long head, long next)
        {
            FaultInjection.Pause?.Invoke("record-read");
            return _memory.CompareExchangeUInt64(HeadOffset, (ulong)next, (ulong)head);
        }

        /// <summary>True when a consumer moved the head since it was read as <paramref name="head"/>: what was read after it may be stale, not damaged.</summary>
        private bool Moved(long head) => (long)_memory.ReadUInt64(HeadOffset) != head;

        /// <summary>Publishes records written past the tail: one aligned store of the new tail (the commit point).</summary>
        private void Commit(long tail)
        {
            FaultInjection.Pause?.Invoke("record-written");
            _memory.WriteUInt64(TailOffset, (ulong)tail);
            _memory.WriteUInt64(WrittenOffset, (ulong)tail);
        }

        /// <summary>
        /// Takes the oldest messages, as many whole records as fit in <paramref name="buffer"/>, each run up to the
        /// end of the ring in one copy; returns how many (0 when the queue is empty). Their headers are checked
        /// here, their checksums when they are read from the buffer. The head is claimed once, after the copies.
        /// </summary>
        public int TryDequeue(MessageBuffer buffer)
        {
            while (true)
            {
                buffer.Reset(_header.ValidatedChecksum(_name), _name);
                (long head, long tail) = Positions();
                long position = head;
                int used = 0;
                bool full = false;
                string? damage = null;
                long? tooLarge = null;
                while (position < tail && !full)
                {
                    long at = position % _ring;
                    if (_memory.ReadUInt32(Data(at)) == WrapMarker)
                    {
                        if (position + (_ring - at) > tail)
                        {
                            damage = "wrap marker";
                            break;
                        }

                        position += _ring - at;
                        continue;
                    }

                    // The bytes up to the end of the ring, the tail, or the end of the room in the buffer, in one
                    // copy; then the whole records among them, found by walking the copy's headers, which no other
                    // process can change and which are read from this core's cache, not one by one from the producer's.
                    long runEnd = Math.Min(tail - position, _ring - at);
                    int copied = (int)Math.Min(runEnd, buffer.Capacity - used);
                    _memory.Read(Data(at), buffer.Buffer, used, copied);
                    long run = 0;
                    while (run < runEnd)
                    {
                        // Only after whole records: the buffer always has room for one header.
                        if (run + RecordHeader > copied)
                        {
                            full = true;
                            break;
                        }

                        int record = used + (int)run;
                        uint length = BitConverter.ToUInt32(buffer.Buffer, record);
                        if (length == WrapMarker) break;
                        damage = Damage(length, BitConverter.ToUInt32(buffer.Buffer, record + 4), runEnd - run);
                        if (damage is null && RecordSize(length) > copied - run) tooLarge = length;
                        if (damage is not null || tooLarge.HasValue)
                        {
                            full = true;
                            break;
                        }

                        buffer.Add(record, (int)length);
                        run += RecordSize(length);
                    }

                    used += (int)run;
                    position += run;
                }

                if (buffer.Count == 0)
                {
                    if (damage is null && !tooLarge.HasValue) return 0;
                    // Damage, or a record larger than the whole buffer, before any whole record: it stays, and is reported.
                    if (Moved(head)) continue;
                    if (damage is not null) throw Corrupt(damage);
                    throw Errors.Create(SharedMemoryError.ValueTooLarge, _name, nameof(Resources.Messages.BufferTooSmall), tooLarge.GetValueOrDefault(), _name, buffer.Capacity - RecordHeader);
                }

                // Damage after whole records is reported by the next call, as TryDequeue() would report it.
                if (Claim(head, position)) return buffer.Count;
            }
        }

        /// <summary>
        /// Takes the oldest message, or returns null when the queue is empty. It does not follow a long message
        /// while it is written, as the take into a buffer does: it would have to allocate the message's length
        /// for a record that may never be committed, and that length is whatever the ring says.
        /// </summary>
        public StoredValue? TryDequeue()
        {
            while (true)
            {
                Record? next = Next(follow: false);
                if (next is not Record record) return null;
                var payload = new byte[record.Length];
                if (TryTake(record, payload, 0) == Take.Taken) return new StoredValue(record.Kind, payload);
            }
        }

        /// <summary>
        /// Takes the oldest message into <paramref name="buffer"/> at <paramref name="index"/>, allocating
        /// nothing: its length, or -1 when the queue is empty. A message longer than the room left in the
        /// buffer throws <see cref="SharedMemoryError.ValueTooLarge"/> and stays in the queue.
        /// </summary>
        public int TryDequeue(byte[] buffer, int index, out PayloadKind kind)
        {
            kind = PayloadKind.None;
            while (true)
            {
                Record? next = Next(follow: true);
                if (next is not Record record) return -1;
                if (record.Length > buffer.Length - index)
                {
                    // Reported once the record is committed: one still being written may yet be abandoned.
                    if (record.Unfinished) return -1;
                    if (Moved(record.Head)) continue;
                    throw Errors.Create(SharedMemoryError.ValueTooLarge, _name, nameof(Resources.Messages.BufferTooSmall), record.Length, _name, buffer.Length - index);
                }

                Take outcome = TryTake(record, buffer, index);
                if (outcome == Take.NotYet) return -1;
                if (outcome == Take.Lost) continue;
                kind = record.Kind;
                return record.Length;
            }
        }

        /// <summary>
        /// The oldest record, checked against the ring but not yet against its checksum; when the queue is
        /// empty and <paramref name="follow"/> says so, a long record a producer is writing now, if any; null
        /// when there is neither.
        /// </summary>
        private Record? Next(bool follow)
        {
            while (true)
            {
                (long head, long tail) = Positions();
                if (head == tail) return follow ? Unfinished(head) : null;
                (long start, long at, uint length) = Locate(head);
                string? damage = start > tail ? "wrap marker" : start == tail ? null : Damage(at, length, Math.Min(_ring - at, tail - start));
                if (damage is not null || start == tail)
                {
                    if (Moved(head)) continue;
                    if (damage is not null) throw Corrupt(damage);
                    return null;
                }

                var kind = (PayloadKind)_memory.ReadUInt32(Data(at) + 4);
                return new Record(head, at, (int)length, kind, _memory.ReadUInt32(Data(at) + 12), start + RecordSize(length), unfinished: false);
            }
        }

        /// <summary>Where the record at <paramref name="position"/> starts, past a wrap marker there, and its length field.</summary>
        private (long Start, long At, uint Length) Locate(long position)
        {
            long at = position % _ring;
            uint length = _memory.ReadUInt32(Data(at));
            if (length != WrapMarker) return (position, at, length);
            return (position + _ring - at, 0, _memory.ReadUInt32(Data(0)));
        }

        /// <summary>
        /// The record being written at the tail (which is <paramref name="head"/>: the queue is empty), when its
        /// producer has published its header and some of its payload; null otherwise. Nothing here is trusted:
        /// <see cref="Follow"/> checks the record once it is committed.
        /// </summary>
        private Record? Unfinished(long head)
        {
            long written = (long)_memory.ReadUInt64(WrittenOffset);
            if (written <= head + RecordHeader || written - head > _ring) return null;
            (long start, long at, uint length) = Locate(head);
            if (written <= start + RecordHeader || Damage(at, length, Math.Min(_ring - at, head + _ring - start)) is not null) return null;
            var kind = (PayloadKind)_memory.ReadUInt32(Data(at) + 4);
            return new Record(head, at, (int)length, kind, _memory.ReadUInt32(Data(at) + 12), start + RecordSize(length), unfinished: true);
        }

        /// <summary>
        /// Copies a record out as its producer writes it, piece by piece, and waits for its commit. The pieces are
        /// copied while they are still in the producer's cache, which is what makes a large message fast. Once
        /// the record is committed, it must still have the length, kind and stamp it had when we began: a
        /// producer that died mid-record leaves its pieces to be written over by the next, with another stamp.
        /// NotYet when the producer stops writing for a while (it may have died): the caller waits for a change.
        /// </summary>
        private Take Follow(Record record, ref PayloadChecksum checksum, byte[] destination, int index)
        {
            long payloadStart = record.NextHead - RecordSize(record.Length) + RecordHeader;
            int copied = 0;
            long lastProgress = Stopwatch.GetTimestamp();
            while (true)
            {
                bool committed = (long)_memory.ReadUInt64(TailOffset) >= record.NextHead;
                long written = committed ? record.NextHead : (long)_memory.ReadUInt64(WrittenOffset);
                long ready = Math.Max(0, Math.Min(record.Length, written - payloadStart));
                // Every piece but the last is whole 16-byte blocks, as the checksum's pieces must be.
                if (ready < record.Length) ready &= ~15L;
                if (ready > copied)
                {
                    CopyOut(record, copied, (int)ready - copied, destination, index, ref checksum);
                    copied = (int)ready;
                    lastProgress = Stopwatch.GetTimestamp();
                }
                else if (committed)
                {
                    break;
                }
                else if (Stopwatch.GetTimestamp() - lastProgress > FollowPatienceTicks)
                {
                    return Take.NotYet;
                }
                else
                {
                    Thread.SpinWait(8);
                }
            }

            bool same = _memory.ReadUInt32(Data(record.At)) == (uint)record.Length
                && _memory.ReadUInt32(Data(record.At) + 4) == (uint)record.Kind
                && _memory.ReadUInt32(Data(record.At) + 12) == record.Stamp;
            return same ? Take.Taken : Take.Lost;
        }

        /// <summary>
        /// What is wrong with the header of the record at ring offset <paramref name="at"/>, whose length field
        /// says <paramref name="length"/> and which has <paramref name="room"/> bytes before the tail or the end of
        /// the ring; null when nothing is. Another process can write anything there.
        /// </summary>
        private string? Damage(long at, uint length, long room) => Damage(length, _memory.ReadUInt32(Data(at) + 4), room);

        /// <summary>What is wrong with a record header that says <paramref name="length"/> and <paramref name="kind"/>, as <see cref="Damage(long, uint, long)"/>.</summary>
        private string? Damage(uint length, uint kind, long room) =>
            length > MaxPayload || RecordSize(length) > room ? "record length"
            : !PayloadKinds.IsMessage((PayloadKind)kind) ? "record kind"
            : null;

        /// <summary>
        /// Copies the record's payload out and checks it there (no other process can change our copy), then
        /// claims it. Lost when another consumer took it meanwhile (the copy may hold a later record's bytes) or
        /// an unfinished record was not the one committed: the caller starts again.
        /// </summary>
        private Take TryTake(Record record, byte[] destination, int index)
        {
            var checksum = new PayloadChecksum(_header.ValidatedChecksum(_name));
            if (record.Unfinished)
            {
                Take followed = Follow(record, ref checksum, destination, index);
                if (followed != Take.Taken) return followed;
            }
            else
            {
                CopyOut(record, 0, record.Length, destination, index, ref checksum);
            }

            if (checksum.Value != _memory.ReadUInt32(Data(record.At) + 8))
            {
                // Only a committed record whose head stood still is damaged; the next attempt reports a followed one.
                if (record.Unfinished || Moved(record.Head)) return Take.Lost;
                throw Corrupt("record checksum");
            }

            return Claim(record.Head, record.NextHead) ? Take.Taken : Take.Lost;
        }

        /// <summary>
        /// Copies <paramref name="count"/> payload bytes from <paramref name="from"/> on and sums them in the same
        /// pass, the sum taken from the words stored in the caller's buffer. Here, where the stores go to this
        /// process's own memory, the fused pass beat copying each 64 KiB piece and summing it after (1 MiB
        /// messages: 9.1-10.1 against 6.6-7.4 GB/s, three alternated runs); a producer's stores go into the ring,
        /// where fused stores ran at half the speed of a memory copy, so it copies and sums apart.
        /// </summary>
        private void CopyOut(Record record, int from, int count, byte[] destination, int index, ref PayloadChecksum checksum) =>
            checksum.CopyOut(_memory, Data(record.At) + RecordHeader + from, destination, index + from, count);

        private enum Take
        {
            Taken,
            Lost,
            NotYet,
        }

        /// <summary>
        /// The head, then the tail. A consumer may move the head between the two reads, so a pair that looks
        /// wrong is read again; it is damage only when the head stood still.
        /// </summary>
        private (long Head, long Tail) Positions()
        {
            while (true)
            {
                ulong head = _memory.ReadUInt64(HeadOffset);
                ulong tail = _memory.ReadUInt64(TailOffset);
                if (tail >= head && tail - head <= (ulong)_ring && head % 8 == 0 && tail % 8 == 0 && tail <= long.MaxValue) return ((long)head, (long)tail);
                if (!Moved((long)head)) throw Corrupt("head or tail");
            }
        }

        private static long Align(long length) => (length + 7) & ~7L;

        /// <summary>Ring bytes a record with a payload of <paramref name="payloadLength"/> bytes takes.</summary>
        public static long RecordSize(long payloadLength) => RecordHeader + Align(payloadLength);

        private static long Data(long ringOffset) => SegmentHeader.Size + ringOffset;

        private readonly struct Record
        {
            public Record(long head, long at, int length, PayloadKind kind, uint stamp, long nextHead, bool unfinished)
            {
                Head = head;
                At = at;
                Length = length;
                Kind = kind;
                Stamp = stamp;
                NextHead = nextHead;
                Unfinished = unfinished;
            }

            /// <summary>The head it was found at: the claim succeeds only if the head is still there.</summary>
            public long Head { get; }

            public long At { get; }

            public int Length { get; }

            public PayloadKind Kind { get; }

            public uint Stamp { get; }

            /// <summary>Not yet committed: its producer is writing it.</summary>
            public bool Unfinished { get; }

            public long NextHead { get; }
        }

        private SharedMemoryException Corrupt(string field) =>
            Errors.Create(SharedMemoryError.Corrupted, _name, nameof(Resources.Messages.HeaderCorrupted), _name, field);
    }
}
