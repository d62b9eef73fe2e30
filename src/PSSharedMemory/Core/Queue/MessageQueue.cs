using System;

namespace PSSharedMemory
{
    /// <summary>
    /// A first-in, first-out ring of variable-length messages in a queue segment's data area, laid out as
    /// <see cref="QueueRing"/> says. Producers hold the segment's lock, write records past the tail
    /// and commit them with one aligned store of the tail. Consumers take no lock: they copy the records at
    /// the head and claim them with one compare-and-swap of the head, which fails when another consumer took
    /// them first; then they start again. Because the head only grows, a claim that succeeds proves that no
    /// producer could reuse those bytes while they were copied, so the copy is whole. A process that dies
    /// mid-operation leaves each message wholly there or wholly gone, and never blocks the other side.
    /// </summary>
    internal sealed class MessageQueue
    {
        /// <summary>Payloads at least this long are published piece by piece as they are written.</summary>
        private const int PublishedLength = 256 * 1024;

        /// <summary>
        /// The piece: small enough that a consumer copies it out while it is still in the producer's cache,
        /// which moves a large message between two cores two to four times faster than copying it whole.
        /// </summary>
        private const int PublishedPiece = 64 * 1024;

        private readonly QueueRing _layout;
        private readonly MappedMemory _memory;
        private readonly MessageTaker _taker;

        public MessageQueue(MappedMemory memory, SegmentHeader header, long capacity, string name)
        {
            _layout = new QueueRing(memory, header, capacity, name);
            _memory = memory;
            _taker = new MessageTaker(_layout);
        }

        /// <summary>The largest payload that fits in the empty ring.</summary>
        public long MaxPayload => _layout.MaxPayload;

        /// <inheritdoc cref="QueueRing.Count"/>
        public long Count => _layout.Count;

        public long FreeBytes => _layout.FreeBytes;

        /// <inheritdoc cref="QueueRing.UsedBytes"/>
        public long UsedBytes => _layout.UsedBytes;

        /// <summary>Appends a message; false when the ring has no room for it now (nothing changed).</summary>
        public bool TryEnqueue(PayloadKind kind, byte[] payload) => TryEnqueue(kind, payload, null);

        /// <summary>Appends a message whose checksum was computed ahead; recomputed if the segment's algorithm is not the one it was computed with.</summary>
        public bool TryEnqueue(QueueMessage message) => TryEnqueue(message.Kind, message.Payload, message);

        private bool TryEnqueue(PayloadKind kind, byte[] payload, QueueMessage? prepared)
        {
            if (!PayloadKinds.IsMessage(kind)) throw new ArgumentOutOfRangeException(nameof(kind));
            long need = QueueRing.RecordSize(payload.LongLength);
            (long head, long tail) = _layout.Positions();
            long at = _layout.Place(head, ref tail, need);
            if (at < 0) return false;

            bool publish = payload.Length >= PublishedLength;
            _memory.WriteUInt32(QueueRing.Data(at), (uint)payload.Length);
            _memory.WriteUInt32(QueueRing.Data(at) + 4, (uint)kind);
            // Never 0, and never what the position held before: a consumer that followed a record here
            // whose writer died sees the stamp change when the next one is written over it.
            uint stamp = 0;
            if (publish)
            {
                stamp = _memory.ReadUInt32(QueueRing.Data(at) + 12) + 1;
                if (stamp == 0) stamp = 1;
            }

            _memory.WriteUInt32(QueueRing.Data(at) + 12, stamp);
            ChecksumAlgorithm algorithm = _layout.Checksum;
            bool summed = prepared is not null && prepared.Algorithm == algorithm;
            var sum = new PayloadChecksum(algorithm);
            int piece = publish ? PublishedPiece : Math.Max(payload.Length, 1);
            for (int done = 0; done < payload.Length; done += piece)
            {
                int count = Math.Min(piece, payload.Length - done);
                // A published piece is summed, then copied while it is in cache, as a consumer reads it meanwhile.
                if (summed) _memory.Write(QueueRing.Data(at) + QueueRing.RecordHeader + done, payload, done, count);
                else if (publish) sum.SumThenCopyIn(_memory, QueueRing.Data(at) + QueueRing.RecordHeader + done, payload, done, count);
                else sum.CopyIn(_memory, QueueRing.Data(at) + QueueRing.RecordHeader + done, payload, done, count);
                if (!publish) continue;
                _layout.PublishWritten(tail + QueueRing.RecordHeader + done + count);
                FaultInjection.Pause?.Invoke("piece-written");
            }

            _memory.WriteUInt32(QueueRing.Data(at) + 8, summed ? prepared!.Checksum : sum.Value);
            _layout.Commit(tail + need);
            return true;
        }

        /// <inheritdoc cref="QueueRing.ForgetUnfinished"/>
        public void ForgetUnfinished() => _layout.ForgetUnfinished();

        /// <summary>
        /// Appends the batch's records from <paramref name="first"/> on, as many as there is room for now, each
        /// run that fits before the end of the ring in one copy; returns how many. The tail is stored once, after
        /// the last copy: a process that dies before it leaves none of them in the queue.
        /// </summary>
        public int TryEnqueue(MessageBatch batch, int first)
        {
            if (batch.Algorithm != _layout.Checksum) throw new ArgumentException("The batch was made for a queue with another checksum algorithm.", nameof(batch));
            if (first < 0 || first > batch.Count) throw new ArgumentOutOfRangeException(nameof(first));
            byte[] records = batch.RecordsWithChecksums();
            (long head, long tail) = _layout.Positions();
            int next = first;
            while (next < batch.Count)
            {
                int start = batch.RecordStart(next);
                long at = _layout.Place(head, ref tail, batch.RecordEnd(next) - start);
                if (at < 0) break;
                long room = Math.Min(_layout.Length - at, _layout.Length - (tail - head));
                int last = next;
                while (last + 1 < batch.Count && batch.RecordEnd(last + 1) - start <= room) last++;
                int bytes = batch.RecordEnd(last) - start;
                _memory.Write(QueueRing.Data(at), records, start, bytes);
                tail += bytes;
                next = last + 1;
            }

            if (next == first) return 0;
            _layout.Commit(tail);
            return next - first;
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
                buffer.Reset(_layout.Checksum, _layout.Name);
                (long head, long tail) = _layout.Positions();
                long position = head;
                int used = 0;
                bool full = false;
                string? damage = null;
                long? tooLarge = null;
                while (position < tail && !full)
                {
                    long at = position % _layout.Length;
                    if (_memory.ReadUInt32(QueueRing.Data(at)) == QueueRing.WrapMarker)
                    {
                        if (position + (_layout.Length - at) > tail)
                        {
                            damage = "wrap marker";
                            break;
                        }

                        position += _layout.Length - at;
                        continue;
                    }

                    // The bytes up to the end of the ring, the tail, or the end of the room in the buffer, in one
                    // copy; then the whole records among them, found by walking the copy's headers, which no other
                    // process can change and which are read from this core's cache, not one by one from the producer's.
                    long runEnd = Math.Min(tail - position, _layout.Length - at);
                    int copied = (int)Math.Min(runEnd, buffer.Capacity - used);
                    _memory.Read(QueueRing.Data(at), buffer.Buffer, used, copied);
                    long run = 0;
                    while (run < runEnd)
                    {
                        // Only after whole records: the buffer always has room for one header.
                        if (run + QueueRing.RecordHeader > copied)
                        {
                            full = true;
                            break;
                        }

                        int record = used + (int)run;
                        uint length = BitConverter.ToUInt32(buffer.Buffer, record);
                        if (length == QueueRing.WrapMarker) break;
                        damage = _layout.Damage(length, BitConverter.ToUInt32(buffer.Buffer, record + 4), runEnd - run);
                        if (damage is null && QueueRing.RecordSize(length) > copied - run) tooLarge = length;
                        if (damage is not null || tooLarge.HasValue)
                        {
                            full = true;
                            break;
                        }

                        buffer.Add(record, (int)length);
                        run += QueueRing.RecordSize(length);
                    }

                    used += (int)run;
                    position += run;
                }

                if (buffer.Count == 0)
                {
                    if (damage is null && !tooLarge.HasValue) return 0;
                    // Damage, or a record larger than the whole buffer, before any whole record: it stays, and is reported.
                    if (_layout.Moved(head)) continue;
                    if (damage is not null) throw _layout.Corrupt(damage);
                    throw Errors.Create(SharedMemoryError.ValueTooLarge, _layout.Name, nameof(Resources.Messages.BufferTooSmall), tooLarge.GetValueOrDefault(), _layout.Name, buffer.Capacity - QueueRing.RecordHeader);
                }

                // Damage after whole records is reported by the next call, as TryDequeue() would report it.
                if (_layout.Claim(head, position)) return buffer.Count;
            }
        }

        /// <inheritdoc cref="MessageTaker.TryDequeue()"/>
        public StoredValue? TryDequeue() => _taker.TryDequeue();

        /// <inheritdoc cref="MessageTaker.TryDequeue(byte[], int, out PayloadKind)"/>
        public int TryDequeue(byte[] buffer, int index, out PayloadKind kind) => _taker.TryDequeue(buffer, index, out kind);
    }
}
