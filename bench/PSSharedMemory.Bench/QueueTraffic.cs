using System;

namespace PSSharedMemory.Bench
{
    /// <summary>
    /// Sending and taking messages through the core's queue, one message or a batch per lock hold. A batch is
    /// laid out and checksummed before the lock is taken (MessageBatch) and taken in one copy into a reused
    /// MessageBuffer, whose messages are checked and handled after the lock is released; neither side
    /// allocates per message.
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
            if (batch == 1)
            {
                SendOneByOne(queue, count, size, fill);
                return;
            }

            var payload = new byte[size];
            MessageBatch messages = queue.CreateBatch(batch * MessageBatch.RecordLength(size));
            for (int sent = 0; sent < count;)
            {
                messages.Clear();
                while (sent + messages.Count < count)
                {
                    fill?.Invoke(sent + messages.Count, payload);
                    if (!messages.TryAdd(PayloadKind.Bytes, payload, 0, size)) break;
                }

                if (queue.EnqueueAll(messages, Patience) < messages.Count) throw new TimeoutException("the queue stayed full for 60 s");
                sent += messages.Count;
            }
        }

        private static void SendOneByOne(SharedMemorySegment queue, int count, int size, Action<int, byte[]>? fill)
        {
            var payload = new byte[size];
            for (int sent = 0; sent < count; sent++)
            {
                fill?.Invoke(sent, payload);
                // Checksummed under the lock as it is copied in: with one producer nothing waits for the lock, and
                // a long message is then read from memory once rather than twice (PrepareMessage, then the copy).
                object? progressed = queue.WaitUntil(locked => locked.TryEnqueue(PayloadKind.Bytes, payload) ? queue : null, Patience);
                if (progressed is null) throw new TimeoutException("the queue stayed full for 60 s");
            }
        }

        /// <summary>
        /// Takes messages, one per lock hold or a batch of up to <paramref name="batch"/> messages of
        /// <paramref name="size"/> bytes, and
        /// hands each to <paramref name="take"/> (buffer, offset, length) until it returns false for one. The
        /// messages that follow it in the same batch are end marks, which go back for the other consumers.
        /// </summary>
        public static void Receive(SharedMemorySegment queue, int batch, int size, Func<byte[], int, int, bool> take)
        {
            if (batch == 1)
            {
                ReceiveOneByOne(queue, take);
                return;
            }

            var buffer = new MessageBuffer(batch * MessageBatch.RecordLength(size));
            while (true)
            {
                object? progressed = queue.WaitFor(taking => taking.TryDequeue(buffer) > 0 ? taking : null, Patience);
                if (progressed is null) throw new TimeoutException("no message for 60 s");
                int ends = 0;
                for (int i = 0; i < buffer.Count; i++)
                {
                    buffer.GetMessage(i, out int offset, out int length);
                    if (ends == 0 && take(buffer.Buffer, offset, length)) continue;
                    if (ends > 0 && length != 0) throw new InvalidOperationException("a message after the end mark");
                    ends++;
                }

                if (ends == 0) continue;
                for (int i = 1; i < ends; i++) queue.WaitUntil(locked => locked.TryEnqueue(PayloadKind.Bytes, Array.Empty<byte>()) ? queue : null, Patience);
                return;
            }
        }

        private static void ReceiveOneByOne(SharedMemorySegment queue, Func<byte[], int, int, bool> take)
        {
            var buffer = new byte[queue.Size];
            bool more = true;
            while (more)
            {
                object? progressed = queue.WaitFor(
                    taking =>
                    {
                        int length = taking.TryDequeue(buffer, 0, out _);
                        if (length < 0) return null;
                        more = take(buffer, 0, length);
                        return queue;
                    },
                    Patience);
                if (progressed is null) throw new TimeoutException("no message for 60 s");
            }
        }
    }
}
