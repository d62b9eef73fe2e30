using System;
using System.Diagnostics;
using System.Threading;

namespace PSSharedMemory
{
    /// <summary>
    /// A queue's operations on a segment: taking messages without the lock, in three shapes each kept for a row
    /// of the benchmark; enqueueing a batch, waiting for room; and making messages and batches ready before the
    /// lock is taken. Enqueueing one message is <see cref="LockedSegment.TryEnqueue(QueueMessage)"/>.
    /// </summary>
    public static class SegmentQueueOperations
    {
        /// <summary>
        /// Enqueues every message of <paramref name="batch"/>, waiting for room as consumers take messages, in as
        /// many lock holds as that needs: the number enqueued, which is less than the batch's count only when
        /// <paramref name="timeout"/> passed first (those that were enqueued stay, in order).
        /// </summary>
        public static int EnqueueAll(this SharedMemorySegment segment, MessageBatch batch, TimeSpan timeout, CancellationToken cancellationToken = default)
        {
            if (segment is null) throw new ArgumentNullException(nameof(segment));
            if (batch is null) throw new ArgumentNullException(nameof(batch));
            var clock = Stopwatch.StartNew();
            int done = 0;
            while (done < batch.Count)
            {
                TimeSpan left = timeout - clock.Elapsed;
                object? progressed = segment.WaitUntil(
                    locked =>
                    {
                        int enqueued = locked.TryEnqueue(batch, done);
                        done += enqueued;
                        return enqueued > 0 ? batch : null;
                    },
                    left > TimeSpan.Zero ? left : TimeSpan.Zero,
                    cancellationToken: cancellationToken);
                if (progressed is null) break;
            }

            return done;
        }

        /// <summary>
        /// Takes the oldest message of a queue, or null when it is empty. Taking needs no lock: consumers claim
        /// messages with an atomic update of the queue's head, so they neither wait for producers, which hold the
        /// lock while they copy in, nor block them. A consumer that dies before its claim leaves the message in
        /// the queue; one that dies after it loses that message. The cmdlets' shape, a new array per message
        /// (the benchmark's 10,000-object rows).
        /// </summary>
        public static StoredValue? TryDequeue(this SharedMemorySegment segment)
        {
            if (segment is null) throw new ArgumentNullException(nameof(segment));
            lock (segment.Gate)
            {
                StoredValue? message = segment.QueueToTake().TryDequeue();
                if (message is not null) segment.Taken();
                return message;
            }
        }

        /// <summary>
        /// Takes the oldest message of a queue into a buffer of the caller's, allocating nothing: its length,
        /// or -1 when the queue is empty. A message that does not fit stays in the queue (ValueTooLarge). When
        /// the queue is empty and a producer is writing a long message (256 KiB or more), this copies it as it
        /// is written and takes it once it is committed, which moves long messages between cores much faster
        /// (the benchmark's 1 MiB queue row).
        /// </summary>
        public static int TryDequeue(this SharedMemorySegment segment, byte[] buffer, int index, out PayloadKind kind)
        {
            if (segment is null) throw new ArgumentNullException(nameof(segment));
            if (buffer is null) throw new ArgumentNullException(nameof(buffer));
            if (index < 0 || index > buffer.Length) throw new ArgumentOutOfRangeException(nameof(index));
            lock (segment.Gate)
            {
                int length = segment.QueueToTake().TryDequeue(buffer, index, out kind);
                if (length >= 0) segment.Taken();
                return length;
            }
        }

        /// <summary>
        /// Takes the oldest messages into <paramref name="buffer"/>, as many whole ones as fit, in one copy per run
        /// of records and one claim for all; returns how many (0 when the queue is empty). Read them with
        /// <see cref="MessageBuffer.GetMessage"/>, which checks each against its checksum. A message larger than
        /// the whole buffer throws <see cref="SharedMemoryError.ValueTooLarge"/> and stays. The messages leave the
        /// queue at the claim: a consumer that dies before it has handled them loses them all, where one that
        /// takes a message at a time loses one. (The benchmark's batched 100 B rows.)
        /// </summary>
        public static int TryDequeue(this SharedMemorySegment segment, MessageBuffer buffer)
        {
            if (segment is null) throw new ArgumentNullException(nameof(segment));
            if (buffer is null) throw new ArgumentNullException(nameof(buffer));
            lock (segment.Gate)
            {
                int taken = segment.QueueToTake().TryDequeue(buffer);
                if (taken > 0) segment.Taken();
                return taken;
            }
        }

        /// <summary>
        /// An empty batch of up to <paramref name="capacity"/> bytes of records for this queue, to fill before the
        /// lock is taken and enqueue with <see cref="LockedSegment.TryEnqueue(MessageBatch, int)"/>.
        /// </summary>
        public static MessageBatch CreateBatch(this SharedMemorySegment segment, int capacity) =>
            new MessageBatch((segment ?? throw new ArgumentNullException(nameof(segment))).Checksum ?? ChecksumAlgorithm.LaneSum, capacity);

        /// <summary>
        /// Computes a message's checksum now, without the lock, so that enqueueing it holds the lock only to
        /// copy it in, and a producer that waits for room does not checksum it again at every attempt.
        /// </summary>
        public static QueueMessage PrepareMessage(this SharedMemorySegment segment, PayloadKind kind, byte[] payload)
        {
            if (!PayloadKinds.IsMessage(kind)) throw new ArgumentOutOfRangeException(nameof(kind));
            return new QueueMessage(kind, payload, (segment ?? throw new ArgumentNullException(nameof(segment))).Checksum ?? ChecksumAlgorithm.LaneSum);
        }
    }
}
