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

        /// <summary>
        /// Sends <paramref name="count"/> messages of <paramref name="size"/> bytes, calling <paramref name="fill"/>
        /// with each one's number first. Each batch is filled and checksummed before the lock is taken, so the
        /// lock is held only to copy messages in; waits while the queue is full.
        /// </summary>
        public static void Send(SharedMemorySegment queue, int count, int batch, int size, Action<int, byte[]>? fill = null)
        {
            var buffers = new byte[Math.Min(batch, count)][];
            for (int j = 0; j < buffers.Length; j++) buffers[j] = new byte[size];
            var prepared = new QueueMessage[buffers.Length];
            for (int sent = 0; sent < count;)
            {
                int n = Math.Min(buffers.Length, count - sent);
                for (int j = 0; j < n; j++)
                {
                    fill?.Invoke(sent + j, buffers[j]);
                    prepared[j] = queue.PrepareMessage(PayloadKind.Bytes, buffers[j]);
                }

                int done = 0;
                while (done < n)
                {
                    object? progressed = queue.WaitUntil(
                        locked =>
                        {
                            int before = done;
                            while (done < n && locked.TryEnqueue(prepared[done])) done++;
                            return done > before ? queue : null;
                        },
                        Patience);
                    if (progressed is null) throw new TimeoutException("the queue stayed full for 60 s");
                }

                sent += n;
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
