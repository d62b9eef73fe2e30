using System;

namespace PSSharedMemory
{
    /// <summary>
    /// A message with its checksum computed ahead, before the queue's lock is taken, so that the lock is held
    /// only to copy it in; made by <see cref="SegmentQueueOperations.PrepareMessage"/>. Its payload must not
    /// change afterwards: a consumer would find the checksum wrong and report the message as corrupted.
    /// </summary>
    public sealed class QueueMessage
    {
        internal QueueMessage(PayloadKind kind, byte[] payload, ChecksumAlgorithm algorithm)
        {
            Kind = kind;
            Payload = payload ?? throw new ArgumentNullException(nameof(payload));
            Algorithm = algorithm;
            Checksum = PayloadChecksum.Compute(algorithm, payload);
        }

        /// <summary>How the payload is to be read.</summary>
        public PayloadKind Kind { get; }

        /// <summary>The payload bytes.</summary>
        public byte[] Payload { get; }

        internal ChecksumAlgorithm Algorithm { get; }

        internal uint Checksum { get; }
    }
}
