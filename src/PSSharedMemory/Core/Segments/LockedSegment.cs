using System;
using System.Threading;

namespace PSSharedMemory
{
    /// <summary>
    /// A segment while this thread holds its lock: everything read or written through it is consistent
    /// with every other process that uses the lock. Dispose it to release the lock.
    /// </summary>
    public sealed class LockedSegment : IDisposable
    {
        private SharedMemorySegment? _segment;
        private bool _wakeWaiters;
        private bool _changed;

        internal LockedSegment(SharedMemorySegment segment, bool wasAbandoned)
        {
            _segment = segment;
            WasAbandoned = wasAbandoned;
            // A producer that died mid-record leaves how far it had got; consumers must not follow that record.
            if (wasAbandoned) segment.Queue?.ForgetUnfinished();
            // A process that died holding the lock may have changed the segment without bumping the change
            // counter, which it does on release: bump it for it, so that nobody sleeps through that change.
            _changed = wasAbandoned && segment.Header is not null;
        }

        /// <summary>The change counter, to pass to <see cref="SegmentWaiting.WaitForChange"/> after releasing the lock.</summary>
        public uint ChangeCounter
        {
            get
            {
                SharedMemorySegment segment = Segment;
                PublishChange(segment);
                return HeaderOf(segment).ChangeCounter;
            }
        }

        /// <summary>
        /// True when the previous owner ended while holding the lock. A value is still either the old or the
        /// new one; raw bytes may hold that owner's partial write.
        /// </summary>
        public bool WasAbandoned { get; }

        /// <summary>The segment this lock belongs to.</summary>
        public SharedMemorySegment Segment => _segment ?? throw new ObjectDisposedException(nameof(LockedSegment));

        /// <summary>The stored value, or null when none was written. Throws <see cref="SharedMemoryError.Corrupted"/> on damaged bytes.</summary>
        public StoredValue? ReadValue() => ReadValue(null, CancellationToken.None);

        /// <summary>
        /// Reads the value, calling <paramref name="progress"/> with bytes copied and the total as the copy goes;
        /// canceling stops the copy (throwing <see cref="OperationCanceledException"/>) and changes nothing.
        /// </summary>
        public StoredValue? ReadValue(Action<long, long>? progress, CancellationToken cancellationToken) =>
            HeaderOf(Segment).ReadValue(Segment.Name, progress, cancellationToken);

        /// <summary>
        /// Reads the value into a buffer of the caller's, allocating nothing, which matters for large values read
        /// often: its length, or -1 when none was written. A value longer than the room left in the buffer
        /// throws <see cref="SharedMemoryError.ValueTooLarge"/> and reads nothing; on
        /// <see cref="SharedMemoryError.Corrupted"/> the buffer holds the damaged bytes.
        /// </summary>
        public int ReadValue(byte[] buffer, int index, out PayloadKind kind, out ulong version)
        {
            if (buffer is null) throw new ArgumentNullException(nameof(buffer));
            if (index < 0 || index > buffer.Length) throw new ArgumentOutOfRangeException(nameof(index));
            return HeaderOf(Segment).ReadValue(Segment.Name, buffer, index, out kind, out version);
        }

        /// <summary>Stores a value in one commit; returns the segment's new version. Nothing changes when it does not fit.</summary>
        public ulong WriteValue(PayloadKind kind, byte[] payload) => WriteValue(kind, payload, null, CancellationToken.None);

        /// <summary>
        /// Stores a value, calling <paramref name="progress"/> with bytes copied and the total as the copy goes.
        /// Canceling stops before the commit (throwing <see cref="OperationCanceledException"/>): the old value stays, whole.
        /// </summary>
        public ulong WriteValue(PayloadKind kind, byte[] payload, Action<long, long>? progress, CancellationToken cancellationToken)
        {
            if (payload is null) throw new ArgumentNullException(nameof(payload));
            SegmentHeader header = HeaderOf(Segment);
            ulong version = header.WriteValue(Segment.Name, kind, payload, progress, cancellationToken);
            Changed();
            return version;
        }

        /// <summary>Appends a message to a queue; false when the ring is full now (nothing changed).</summary>
        public bool TryEnqueue(PayloadKind kind, byte[] payload) =>
            Enqueued(Segment.RequireQueue().TryEnqueue(kind, payload ?? throw new ArgumentNullException(nameof(payload))));

        /// <summary>Appends a message prepared by <see cref="SegmentQueueOperations.PrepareMessage"/>: the lock is held only to copy it in.</summary>
        public bool TryEnqueue(QueueMessage message) =>
            Enqueued(Segment.RequireQueue().TryEnqueue(message ?? throw new ArgumentNullException(nameof(message))));

        /// <summary>
        /// Appends the messages of a batch made by <see cref="SegmentQueueOperations.CreateBatch"/>, from
        /// <paramref name="first"/> on, as many as there is room for now; returns how many (0 when the ring is
        /// full). The lock is held for one copy per run of records, however many messages the run holds.
        /// </summary>
        public int TryEnqueue(MessageBatch batch, int first = 0)
        {
            int enqueued = Segment.RequireQueue().TryEnqueue(batch ?? throw new ArgumentNullException(nameof(batch)), first);
            if (enqueued > 0) Changed();
            return enqueued;
        }

        /// <summary>Copies <paramref name="count"/> bytes starting at <paramref name="offset"/> of the data area.</summary>
        public byte[] ReadBytes(long offset, long count)
        {
            SharedMemorySegment segment = Segment;
            CheckRange(segment, offset, count);
            return segment.Memory.ReadArray(segment.DataOffset + offset, count);
        }

        /// <summary>Copies <paramref name="count"/> bytes at <paramref name="offset"/> of the data area into a buffer of the caller's, allocating nothing.</summary>
        public void ReadBytes(long offset, byte[] destination, int destinationIndex, int count)
        {
            if (destination is null) throw new ArgumentNullException(nameof(destination));
            if (destinationIndex < 0 || count < 0 || destinationIndex > destination.Length - count) throw new ArgumentOutOfRangeException(nameof(count));
            SharedMemorySegment segment = Segment;
            CheckRange(segment, offset, count);
            segment.Memory.Read(segment.DataOffset + offset, destination, destinationIndex, count);
        }

        /// <summary>Writes <paramref name="data"/> at <paramref name="offset"/> of the data area; returns the new version (null for raw segments).</summary>
        public ulong? WriteBytes(long offset, byte[] data)
        {
            if (data is null) throw new ArgumentNullException(nameof(data));
            SharedMemorySegment segment = Segment;
            CheckRange(segment, offset, data.LongLength);
            segment.Memory.Write(segment.DataOffset + offset, data, 0, data.Length);
            if (segment.Header is null) return null;
            ulong version = segment.Header.BumpVersion();
            Changed();
            return version;
        }

        /// <summary>Releases the lock.</summary>
        public void Dispose()
        {
            SharedMemorySegment? segment = _segment;
            _segment = null;
            if (segment is null) return;
            try
            {
                PublishChange(segment);
                // Waiters are woken while the gate is still ours, so the mapping cannot go away under the call.
                if (_wakeWaiters) segment.Platform.WakeAll(segment.Memory, SegmentHeader.ChangeCounterOffset);
            }
            finally
            {
                segment.ReleaseLock();
            }
        }

        /// <summary>
        /// Notes that this lock hold changed the segment. The change counter is bumped once, when the lock is
        /// released or the counter read, however many messages or writes the hold made: waiters need to know
        /// that something changed, and a batch should cost one bump and at most one wake-up.
        /// </summary>
        private void Changed() => _changed = true;

        private bool Enqueued(bool enqueued)
        {
            if (enqueued) Changed();
            return enqueued;
        }

        private void PublishChange(SharedMemorySegment segment)
        {
            if (!_changed) return;
            _changed = false;
            if (HeaderOf(segment).NoteChange()) _wakeWaiters = true;
        }

        private static SegmentHeader HeaderOf(SharedMemorySegment segment) =>
            segment.Header ?? throw Errors.Create(SharedMemoryError.NotAValueSegment, segment.Name, nameof(Resources.Messages.NotAValueSegment), segment.Name);

        private static void CheckRange(SharedMemorySegment segment, long offset, long count)
        {
            if (offset < 0 || count < 0 || offset > segment.Size || count > segment.Size - offset || count > int.MaxValue)
            {
                throw Errors.Create(SharedMemoryError.OutOfRange, offset, nameof(Resources.Messages.OutOfRange), offset, count, segment.Name, segment.Size);
            }
        }
    }
}
