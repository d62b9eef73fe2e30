using System;
using System.Diagnostics;
using System.Threading;

namespace PSSharedMemory
{
    /// <summary>
    /// Takes one message at a time from a queue's ring, without the lock: copies the record at the head out,
    /// checks it, and claims it; when the queue is empty and a producer is writing a long record, follows it
    /// piece by piece as it is written.
    /// </summary>
    internal sealed class MessageTaker
    {
        /// <summary>How long a consumer following a record waits for its producer to write more before it gives up for now.</summary>
        private static readonly long FollowPatienceTicks = Stopwatch.Frequency / 5000;

        private readonly QueueRing _layout;
        private readonly MappedMemory _memory;

        public MessageTaker(QueueRing layout)
        {
            _layout = layout;
            _memory = layout.Memory;
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
                    if (_layout.Moved(record.Head)) continue;
                    throw Errors.Create(SharedMemoryError.ValueTooLarge, _layout.Name, nameof(Resources.Messages.BufferTooSmall), record.Length, _layout.Name, buffer.Length - index);
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
                (long head, long tail) = _layout.Positions();
                if (head == tail) return follow ? Unfinished(head) : null;
                (long start, long at, uint length) = _layout.Locate(head);
                string? damage = start > tail ? "wrap marker" : start == tail ? null : _layout.Damage(at, length, Math.Min(_layout.Length - at, tail - start));
                if (damage is not null || start == tail)
                {
                    if (_layout.Moved(head)) continue;
                    if (damage is not null) throw _layout.Corrupt(damage);
                    return null;
                }

                var kind = (PayloadKind)_memory.ReadUInt32(QueueRing.Data(at) + 4);
                return new Record(head, at, (int)length, kind, _memory.ReadUInt32(QueueRing.Data(at) + 12), start + QueueRing.RecordSize(length), unfinished: false);
            }
        }

        /// <summary>
        /// The record being written at the tail (which is <paramref name="head"/>: the queue is empty), when its
        /// producer has published its header and some of its payload; null otherwise. Nothing here is trusted:
        /// <see cref="Follow"/> checks the record once it is committed.
        /// </summary>
        private Record? Unfinished(long head)
        {
            long written = _layout.Written;
            if (written <= head + QueueRing.RecordHeader || written - head > _layout.Length) return null;
            (long start, long at, uint length) = _layout.Locate(head);
            if (written <= start + QueueRing.RecordHeader || _layout.Damage(at, length, Math.Min(_layout.Length - at, head + _layout.Length - start)) is not null) return null;
            var kind = (PayloadKind)_memory.ReadUInt32(QueueRing.Data(at) + 4);
            return new Record(head, at, (int)length, kind, _memory.ReadUInt32(QueueRing.Data(at) + 12), start + QueueRing.RecordSize(length), unfinished: true);
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
            long payloadStart = record.NextHead - QueueRing.RecordSize(record.Length) + QueueRing.RecordHeader;
            int copied = 0;
            long lastProgress = Stopwatch.GetTimestamp();
            while (true)
            {
                bool committed = _layout.Tail >= record.NextHead;
                long written = committed ? record.NextHead : _layout.Written;
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

            bool same = _memory.ReadUInt32(QueueRing.Data(record.At)) == (uint)record.Length
                && _memory.ReadUInt32(QueueRing.Data(record.At) + 4) == (uint)record.Kind
                && _memory.ReadUInt32(QueueRing.Data(record.At) + 12) == record.Stamp;
            return same ? Take.Taken : Take.Lost;
        }

        /// <summary>
        /// Copies the record's payload out and checks it there (no other process can change our copy), then
        /// claims it. Lost when another consumer took it meanwhile (the copy may hold a later record's bytes) or
        /// an unfinished record was not the one committed: the caller starts again.
        /// </summary>
        private Take TryTake(Record record, byte[] destination, int index)
        {
            var checksum = new PayloadChecksum(_layout.Checksum);
            if (record.Unfinished)
            {
                Take followed = Follow(record, ref checksum, destination, index);
                if (followed != Take.Taken) return followed;
            }
            else
            {
                CopyOut(record, 0, record.Length, destination, index, ref checksum);
            }

            if (checksum.Value != _memory.ReadUInt32(QueueRing.Data(record.At) + 8))
            {
                // Only a committed record whose head stood still is damaged; the next attempt reports a followed one.
                if (record.Unfinished || _layout.Moved(record.Head)) return Take.Lost;
                throw _layout.Corrupt("record checksum");
            }

            return _layout.Claim(record.Head, record.NextHead) ? Take.Taken : Take.Lost;
        }

        /// <summary>
        /// Copies <paramref name="count"/> payload bytes from <paramref name="from"/> on and sums them in the same
        /// pass, the sum taken from the words stored in the caller's buffer: the stores go to this process's own
        /// memory, where the fused pass is faster than a copy and a sum after it; a producer's stores go into the
        /// ring, where it is slower, so a producer copies and sums apart (docs/performance.md).
        /// </summary>
        private void CopyOut(Record record, int from, int count, byte[] destination, int index, ref PayloadChecksum checksum) =>
            checksum.CopyOut(_memory, QueueRing.Data(record.At) + QueueRing.RecordHeader + from, destination, index + from, count);

        private enum Take
        {
            Taken,
            Lost,
            NotYet,
        }

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
    }
}
