using System;

namespace PSSharedMemory
{
    /// <summary>
    /// Messages laid out and checksummed as queue records before the lock is taken, made by
    /// <see cref="SegmentQueueOperations.CreateBatch"/>. Under the lock a run of them is copied into the ring in
    /// one piece, so the lock is held for a memory copy, not for a message at a time; filling the batch
    /// allocates nothing. Checksums are finished four messages at a time, and the last few when the
    /// records are taken (<see cref="RecordsWithChecksums"/>).
    /// </summary>
    public sealed class MessageBatch
    {
        private readonly byte[] _records;
        private readonly int[] _ends;
        private readonly PendingChecksums _pending;

        internal MessageBatch(ChecksumAlgorithm algorithm, int capacity)
        {
            if (capacity < QueueRing.RecordHeader) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"A batch holds at least one empty record ({QueueRing.RecordHeader} bytes).");
            Algorithm = algorithm;
            _records = new byte[capacity];
            _ends = new int[capacity / QueueRing.RecordHeader];
            _pending = new PendingChecksums(algorithm);
        }

        /// <summary>Messages in the batch.</summary>
        public int Count { get; private set; }

        /// <summary>Bytes the batch's records take, headers and padding included.</summary>
        public int Length => Count == 0 ? 0 : _ends[Count - 1];

        /// <summary>Bytes of records the batch can hold.</summary>
        public int Capacity => _records.Length;

        internal ChecksumAlgorithm Algorithm { get; }

        /// <summary>Bytes a message with a payload of <paramref name="payloadLength"/> bytes takes in a batch, a buffer or the ring.</summary>
        public static int RecordLength(int payloadLength) => checked((int)QueueRing.RecordSize(payloadLength));

        /// <summary>The records, every checksum written: what goes into the ring.</summary>
        internal byte[] RecordsWithChecksums()
        {
            WritePendingChecksums();
            return _records;
        }

        /// <summary>
        /// Adds <paramref name="count"/> bytes of <paramref name="payload"/> from <paramref name="index"/> as one
        /// message; false, with nothing changed, when its record does not fit in what is left of the batch.
        /// </summary>
        public bool TryAdd(PayloadKind kind, byte[] payload, int index, int count)
        {
            if (!PayloadKinds.IsMessage(kind)) throw new ArgumentOutOfRangeException(nameof(kind));
            if (payload is null) throw new ArgumentNullException(nameof(payload));
            if (index < 0 || count < 0 || index > payload.Length - count) throw new ArgumentOutOfRangeException(nameof(count));
            int start = Length;
            long size = QueueRing.RecordSize(count);
            if (size > _records.Length - start) return false;

            WriteUInt32(start, (uint)count);
            WriteUInt32(start + 4, (uint)kind);
            WriteUInt32(start + 12, 0);
            Buffer.BlockCopy(payload, index, _records, start + QueueRing.RecordHeader, count);
            int end = start + (int)size;
            // The padding is part of the record copied into the ring: zero it, whatever an earlier use left. Fewer
            // than eight bytes, stored one by one: a call to clear them cost more than the stores.
            for (int padding = start + QueueRing.RecordHeader + count; padding < end; padding++) _records[padding] = 0;
            // Summed in the batch's copy, which goes on past the payload: LaneSum reads a partial last stride whole.
            _pending.Add(start + 8, _records, start + QueueRing.RecordHeader, count);
            _ends[Count++] = end;
            if (_pending.IsFull) WritePendingChecksums();
            return true;
        }

        /// <summary>Empties the batch for reuse.</summary>
        public void Clear()
        {
            Count = 0;
            _pending.Clear();
        }

        internal int RecordStart(int i) => i == 0 ? 0 : _ends[i - 1];

        internal int RecordEnd(int i) => _ends[i];

        private void WritePendingChecksums()
        {
            if (_pending.Count == 0) return;
            _pending.Finish();
            for (int i = 0; i < _pending.Count; i++) WriteUInt32(_pending.Tag(i), _pending.Value(i));
            _pending.Clear();
        }

        private void WriteUInt32(int at, uint value)
        {
            _records[at] = (byte)value;
            _records[at + 1] = (byte)(value >> 8);
            _records[at + 2] = (byte)(value >> 16);
            _records[at + 3] = (byte)(value >> 24);
        }
    }
}
