using System;
using System.Runtime.InteropServices;
using CsCheck;
using Xunit;
using Xunit.Abstractions;

namespace PSSharedMemory.Tests
{
    /// <summary>
    /// Anything in shared memory may come from a buggy or hostile program. Property: over random and mutated
    /// headers, payloads and queue rings, reading a value or dequeuing messages yields a valid value or the module's own Corrupted error, never
    /// another exception, never a read outside the mapping (MappedMemory would throw), and never an
    /// allocation larger than the mapping.
    /// </summary>
    public sealed class HeaderFuzzTests
    {
        private const int Cases = 100_000;
        private readonly ITestOutputHelper _output;

        public HeaderFuzzTests(ITestOutputHelper output)
        {
            _output = output;
        }

        private static readonly Gen<(PayloadKind Kind, byte[] Payload)> Value =
            Gen.Select(Gen.Int[1, 4], Gen.Byte.Array[0, 300], (k, p) => ((PayloadKind)k, p));

        private static readonly int[] Widths = { 1, 2, 4, 8 };
        private static readonly ulong[] Boundaries = { 0, 1, 2, 3, 127, 128, 4095, 4096, int.MaxValue, uint.MaxValue, long.MaxValue, ulong.MaxValue };

        // Field-sized overwrites at aligned header offsets, with values chosen to hit the boundaries.
        private static readonly Gen<(int Offset, int Width, ulong Value)> FieldMutation =
            Gen.Select(
                Gen.Int[0, 127],
                Gen.Int[0, Widths.Length - 1].Select(i => Widths[i]),
                Gen.Frequency((2, Gen.Int[0, Boundaries.Length - 1].Select(i => Boundaries[i])), (1, Gen.ULong)),
                (o, w, v) => (o / w * w, w, v));

        private static readonly Gen<(int Offset, byte Value)> ByteMutation = Gen.Select(Gen.Int[0, 4095], Gen.Byte, (o, b) => (o, b));

        private static readonly Gen<Case> Cases_ = Gen.Select(
            Gen.Int[SegmentHeader.Size, 4096],
            Gen.Bool,
            Value.Array[0, 6],
            FieldMutation.Array[0, 4],
            ByteMutation.Array[0, 6],
            Value,
            (length, queue, writes, fields, bytes, next) => new Case(length, queue, writes, fields, bytes, next));

        [Fact]
        public void Random_and_mutated_headers_yield_a_value_or_the_modules_own_error()
        {
            int values = 0, corrupted = 0, tooLarge = 0;
            WarmUpErrors();
            Cases_.Sample(c =>
            {
                IntPtr buffer = Marshal.AllocHGlobal(c.Length);
                try
                {
                    var memory = new MappedMemory(buffer, c.Length);
                    memory.Clear(0, c.Length);
                    var header = new SegmentHeader(memory);
                    // Both checksums, by the parity of the length, so that each meets every mutation.
                    header.Initialize(c.Length - SegmentHeader.Size, c.Queue ? SegmentKind.Queue : SegmentKind.Value, c.Length % 2 == 0 ? ChecksumAlgorithm.LaneSum : ChecksumAlgorithm.Crc32);
                    var queue = new MessageQueue(memory, header, c.Length - SegmentHeader.Size, "fuzz");
                    foreach (var (kind, payload) in c.Writes)
                    {
                        try
                        {
                            if (c.Queue) queue.TryEnqueue(kind, payload);
                            else header.WriteValue("fuzz", kind, payload);
                        }
                        catch (SharedMemoryException e) when (e.Error == SharedMemoryError.ValueTooLarge) { }
                    }

                    foreach (var (offset, width, value) in c.Fields) Poke(buffer, c.Length, offset, width, value);
                    foreach (var (offset, value) in c.Bytes) if (offset < c.Length) Marshal.WriteByte(buffer, offset, value);

                    var into = new byte[c.Length];
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    if (c.Queue)
                    {
                        // Dequeue until empty: every message whole, or the module's own error, within a bounded number
                        // of steps; every other step into a buffer, which may follow a record the header says is
                        // being written.
                        for (int step = 0; step < 1000; step++)
                        {
                            int length = step % 2 == 0
                                ? Outcome(() => queue.TryDequeue(), ref corrupted)?.Payload.Length ?? -1
                                : TakeInto(queue, into, ref corrupted);

                            if (length < 0) break;
                            values++;
                            Assert.True(length <= c.Length - SegmentHeader.Size);
                        }
                    }
                    else
                    {
                        StoredValue? read = Outcome(() => header.ReadValue("fuzz"), ref corrupted);
                        if (read is not null)
                        {
                            values++;
                            Assert.True(read.Payload.Length <= c.Length - SegmentHeader.Size);
                            Assert.InRange(read.Kind, PayloadKind.Bytes, PayloadKind.FlatObject);
                        }
                    }

                    long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                    Assert.True(allocated <= (c.Queue ? 8 : 1) * (c.Length + 4096), $"reading allocated {allocated} bytes from a {c.Length}-byte mapping");
                    if (c.Queue) return;

                    // A writer facing the same bytes either stores a value that reads back, or refuses.
                    ulong? written = null;
                    try
                    {
                        written = header.WriteValue("fuzz", c.Next.Kind, c.Next.Payload);
                    }
                    catch (SharedMemoryException e) when (e.Error is SharedMemoryError.Corrupted or SharedMemoryError.ValueTooLarge or SharedMemoryError.WrongKind)
                    {
                        if (e.Error == SharedMemoryError.ValueTooLarge) tooLarge++;
                    }

                    if (written.HasValue)
                    {
                        StoredValue back = header.ReadValue("fuzz")!;
                        Assert.Equal(c.Next.Kind, back.Kind);
                        Assert.Equal(c.Next.Payload, back.Payload);
                    }
                }
                finally
                {
                    Marshal.FreeHGlobal(buffer);
                }
            }, iter: Cases, threads: 1);

            _output.WriteLine($"fuzz cases: {Cases}, valid values read: {values}, refused as corrupted: {corrupted}, writes refused as too large: {tooLarge}");
            Assert.True(values > 1000 && corrupted > 1000, "the generator must reach both outcomes");
        }

        /// <summary>
        /// The module's first error loads its message resources and the runtime's first throw sets up what it
        /// needs: one-time costs of several kilobytes that belong to no case's reading, so they are paid here.
        /// </summary>
        private static void WarmUpErrors()
        {
            IntPtr buffer = Marshal.AllocHGlobal(SegmentHeader.Size);
            try
            {
                var memory = new MappedMemory(buffer, SegmentHeader.Size);
                memory.Clear(0, SegmentHeader.Size);
                int corrupted = 0;
                Outcome(() => new SegmentHeader(memory).ReadValue("fuzz"), ref corrupted);
                Assert.Equal(1, corrupted);
            }
            finally
            {
                Marshal.FreeHGlobal(buffer);
            }
        }

        private static int TakeInto(MessageQueue queue, byte[] buffer, ref int corrupted)
        {
            try
            {
                return queue.TryDequeue(buffer, 0, out _);
            }
            catch (SharedMemoryException e) when (e.Error is SharedMemoryError.Corrupted or SharedMemoryError.WrongKind)
            {
                corrupted++;
                return -1;
            }
        }

        private static StoredValue? Outcome(Func<StoredValue?> read, ref int corrupted)
        {
            try
            {
                return read();
            }
            catch (SharedMemoryException e) when (e.Error is SharedMemoryError.Corrupted or SharedMemoryError.WrongKind)
            {
                corrupted++;
                return null;
            }
        }

        private static void Poke(IntPtr buffer, int length, int offset, int width, ulong value)
        {
            if (offset + width > length) return;
            switch (width)
            {
                case 1: Marshal.WriteByte(buffer, offset, (byte)value); break;
                case 2: Marshal.WriteInt16(buffer, offset, (short)value); break;
                case 4: Marshal.WriteInt32(buffer, offset, (int)value); break;
                default: Marshal.WriteInt64(buffer, offset, (long)value); break;
            }
        }

        internal sealed record Case(int Length, bool Queue, (PayloadKind Kind, byte[] Payload)[] Writes, (int Offset, int Width, ulong Value)[] Fields, (int Offset, byte Value)[] Bytes, (PayloadKind Kind, byte[] Payload) Next);
    }
}
