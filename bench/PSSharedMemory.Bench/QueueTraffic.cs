using System;

namespace PSSharedMemory.Bench
{
    /// <summary>
    /// Sending and taking messages through the core's queue, one message or a batch per lock hold. Taking
    /// goes into one reused buffer, so neither side allocates per message.
    /// </summary>
    internal static class QueueTraffic
    {
        private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

        /// <summary>Sends <paramref name="count"/> messages, calling <paramref name="fill"/> with each one's number first; waits while the queue is full.</summary>
        public static void Send(SharedMemorySegment queue, int count, int batch, byte[] payload, Action<int, byte[]>? fill = null)
        {
            int sent = 0;
            while (sent < count)
            {
                object? progressed = queue.WaitUntil(
                    locked =>
                    {
                        int before = sent;
                        while (sent < count && sent - before < batch)
                        {
                            fill?.Invoke(sent, payload);
                            if (!locked.TryEnqueue(PayloadKind.Bytes, payload)) break;
                            sent++;
                        }

                        return sent > before ? queue : null;
                    },
                    Patience);
                if (progressed is null) throw new TimeoutException("the queue stayed full for 60 s");
            }
        }

        /// <summary>Takes messages, up to <paramref name="batch"/> per lock hold, until <paramref name="take"/> returns false for one.</summary>
        public static void Receive(SharedMemorySegment queue, int batch, Func<byte[], int, bool> take)
        {
            var buffer = new byte[queue.Size];
            bool more = true;
            while (more)
            {
                object? progressed = queue.WaitUntil(
                    locked =>
                    {
                        int taken = 0, length;
                        while (more && taken < batch && (length = locked.TryDequeue(buffer, 0, out _)) >= 0)
                        {
                            taken++;
                            more = take(buffer, length);
                        }

                        return taken > 0 ? queue : null;
                    },
                    Patience);
                if (progressed is null) throw new TimeoutException("no message for 60 s");
            }
        }
    }
}
