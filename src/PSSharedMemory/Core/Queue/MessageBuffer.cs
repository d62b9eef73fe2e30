using System;

namespace PSSharedMemory
{
    /// <summary>
    /// A buffer of the caller's that takes a run of queue records in one copy, for
    /// <see cref="SegmentQueueOperations.TryDequeue(SharedMemorySegment, MessageBuffer)"/>; the messages are read from it afterwards,
    /// each checked against its checksum then, together with the three after it (finishing four checksums
    /// costs about what finishing one does). Taking allocates nothing.
    /// </summary>
    public sealed class MessageBuffer
    {
        private readonly byte[] _records;
        private readonly int[] _starts;
        private readonly int[] _lengths;
        private PendingChecksums _checked = new PendingChecksums(ChecksumAlgorithm.LaneSum);
        private string _segmentName = string.Empty;

        /// <summary>A buffer that takes up to <paramref name="capacity"/> bytes of records at a time.</summary>
        public MessageBuffer(int capacity)
        {
            if (capacity < QueueRing.RecordHeader) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"A buffer holds at least one empty record ({QueueRing.RecordHeader} bytes).");
            _records = new byte[capacity];
            _starts = new int[capacity / QueueRing.RecordHeader];
            _lengths = new int[_starts.Length];
        }

        /// <summary>Messages taken by the last <see cref="SegmentQueueOperations.TryDequeue(SharedMemorySegment, MessageBuffer)"/>.</summary>
        public int Count { get; private set; }

        /// <summary>The bytes the messages lie in; <see cref="GetMessage"/> says where.</summary>
        public byte[] Buffer => _records;

        internal int Capacity => _records.Length;

        /// <summary>
        /// Message <paramref name="index"/>: its kind, and where its payload lies in <see cref="Buffer"/>. Its
        /// checksum is checked here, on this private copy; a message that fails it throws
        /// <see cref="SharedMemoryError.Corrupted"/> (it has been taken from the queue, as the others have).
        /// </summary>
        public PayloadKind GetMessage(int index, out int offset, out int length)
        {
            if (index < 0 || index >= Count) throw new ArgumentOutOfRangeException(nameof(index));
            int at = _starts[index];
            length = _lengths[index];
            offset = at + QueueRing.RecordHeader;
            if (Checksum(index) != BitConverter.ToUInt32(_records, at + 8))
            {
                throw Errors.Create(SharedMemoryError.Corrupted, _segmentName, nameof(Resources.Messages.HeaderCorrupted), _segmentName, "record checksum");
            }

            return (PayloadKind)BitConverter.ToUInt32(_records, at + 4);
        }

        internal void Reset(ChecksumAlgorithm algorithm, string segmentName)
        {
            if (_checked.Algorithm != algorithm) _checked = new PendingChecksums(algorithm);
            _checked.Clear();
            _segmentName = segmentName;
            Count = 0;
        }

        /// <summary>The checksum of message <paramref name="index"/>'s payload as it is in this buffer.</summary>
        private uint Checksum(int index)
        {
            int first = _checked.Count == 0 ? -1 : _checked.Tag(0);
            if (first < 0 || index < first || index >= first + _checked.Count)
            {
                _checked.Clear();
                for (int i = index; i < Count && !_checked.IsFull; i++)
                {
                    _checked.Add(i, _records, _starts[i] + QueueRing.RecordHeader, _lengths[i]);
                }

                _checked.Finish();
                first = index;
            }

            return _checked.Value(index - first);
        }

        /// <summary>
        /// Notes a record copied in at <paramref name="start"/>, whose header the queue has checked, with the
        /// payload length read there, so that the header is not read again for every message.
        /// </summary>
        internal void Add(int start, int length)
        {
            _starts[Count] = start;
            _lengths[Count++] = length;
        }
    }
}
