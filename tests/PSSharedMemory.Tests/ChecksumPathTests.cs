using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using PSSharedMemory.Tests.Infrastructure;
using Xunit;

namespace PSSharedMemory.Tests
{
    /// <summary>
    /// The vector and fused copy-and-sum paths of LaneSum against the scalar definition, which the Python peer
    /// checks against docs/layout.md. Switching the vector code off affects other tests only in speed: both
    /// paths must give the same sums, which is what these tests hold them to.
    /// </summary>
    public sealed class ChecksumPathTests : IDisposable
    {
        private static readonly int[] Lengths = { 0, 1, 15, 16, 17, 32, 33, 48, 49, 63, 64, 65, 100, 127, 128, 129, 191, 1000, 4096, 65_536 + 48, (1 << 20) + 13 };

        private readonly string _name = Names.Unique("cksum");

        public void Dispose()
        {
            Names.DeleteSegment(_name);
        }

        [Fact]
        public void The_vector_code_runs_where_the_hardware_has_256_bit_vectors()
        {
            // Guards the probe: on this runtime it must not fall back silently where AVX2 is there to use.
            bool wide = System.Runtime.Intrinsics.X86.Avx2.IsSupported && System.Numerics.Vector<uint>.Count == 8;
            Assert.Equal(wide, LaneSumVectors.Enabled);
        }

        [Fact]
        public void Vector_and_scalar_LaneSum_agree_at_every_length_and_offset()
        {
            var random = new Random(11);
            foreach (int length in Lengths)
            {
                for (int offset = 0; offset < 8; offset += 3)
                {
                    // Random bytes after the payload: 5 leave a partial last stride to the scalar code, 70 let the
                    // vector code read it whole, where whatever follows the payload must be masked out.
                    foreach (int after in new[] { 5, 70 })
                    {
                        var data = new byte[length + offset + after];
                        random.NextBytes(data);
                        Assert.Equal(Scalar(() => LaneSum.Compute(data, offset, length)), LaneSum.Compute(data, offset, length));
                    }
                }
            }
        }

        [Fact]
        public void A_sum_appended_in_whole_blocks_equals_the_sum_at_once_and_only_the_last_piece_may_be_partial()
        {
            var data = new byte[10_000 + 9];
            new Random(3).NextBytes(data);
            var state = default(LaneSumState);
            int done = 0;
            foreach (int piece in new[] { 16, 64, 4096, 48, 1024, 16 * 200 })
            {
                state.Append(data, done, piece);
                done += piece;
            }

            state.Append(data, done, data.Length - done);
            Assert.Equal(LaneSum.Compute(data), state.Finish());
            Assert.Throws<InvalidOperationException>(() => state.Append(data, 0, 16));
        }

        [Fact]
        public void Four_sums_finished_at_once_equal_each_finished_alone()
        {
            var random = new Random(29);
            var values = new uint[4];
            var sums = new ulong[4 * LaneSumState.SumWords];
            var lengths = new long[4];
            for (int round = 0; round < 200; round++)
            {
                var states = new LaneSumState[4];
                for (int k = 0; k < 4; k++)
                {
                    var data = new byte[random.Next(0, 300)];
                    random.NextBytes(data);
                    states[k].Append(data, 0, data.Length);
                    states[k].CopySumsTo(sums, k * LaneSumState.SumWords);
                    lengths[k] = states[k].Length;
                }

                LaneSumState.FinishFour(sums, lengths, values);
                for (int k = 0; k < 4; k++) Assert.Equal(states[k].Finish(), values[k]);
            }

            // The definition's sample (docs/layout.md) as one of four.
            var abc = default(LaneSumState);
            abc.Append(new byte[] { 0x61, 0x62, 0x63 }, 0, 3);
            Array.Clear(sums, 0, sums.Length);
            Array.Clear(lengths, 0, lengths.Length);
            foreach (int k in new[] { 1, 3 })
            {
                abc.CopySumsTo(sums, k * LaneSumState.SumWords);
                lengths[k] = abc.Length;
            }

            LaneSumState.FinishFour(sums, lengths, values);
            Assert.Equal(new uint[] { 0, 0xa0b6b1ce, 0, 0xa0b6b1ce }, values);
        }

        [Fact]
        public void A_whole_payload_summed_in_vectors_alone_equals_the_scalar_sum()
        {
            if (!LaneSumVectors.Enabled) return;
            var random = new Random(31);
            var sums = new ulong[4 * LaneSumState.SumWords];
            var lengths = new long[4];
            var values = new uint[4];
            foreach (int length in Lengths)
            {
                foreach (int after in new[] { 0, 5, 70 })
                {
                    var data = new byte[3 + length + after];
                    random.NextBytes(data);
                    bool summed = LaneSumVectors.TrySum(data, 3, length, sums, LaneSumState.SumWords);
                    // Only a partial last stride with less than a stride of array after its start is left to scalar code.
                    bool expected = length % LaneSumVectors.Stride == 0 || data.Length - (3 + length - (length % LaneSumVectors.Stride)) >= LaneSumVectors.Stride;
                    Assert.Equal(expected, summed);
                    if (!summed) continue;
                    lengths[1] = length;
                    LaneSumState.FinishFour(sums, lengths, values);
                    Assert.Equal(Scalar(() => LaneSum.Compute(data, 3, length)), values[1]);
                }
            }
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void Pending_checksums_equal_LaneSum_wherever_a_message_lies_in_its_array(bool vectors)
        {
            var random = new Random(37);
            var pending = new PendingChecksums(ChecksumAlgorithm.LaneSum);
            foreach (int length in Lengths.Where(l => l <= 4096))
            {
                var data = new byte[length + 150];
                random.NextBytes(data);
                // A stride and more after the message, less than a stride, none, and some messages fewer than four.
                int[] starts = { 0, data.Length - length - 40, data.Length - length, 7 };
                for (int count = 1; count <= PendingChecksums.Capacity; count++)
                {
                    pending.Clear();
                    Func<uint[]> sum = () =>
                    {
                        for (int i = 0; i < count; i++) pending.Add(i, data, starts[i], length);
                        pending.Finish();
                        return Enumerable.Range(0, count).Select(pending.Value).ToArray();
                    };
                    uint[] actual = vectors ? sum() : Scalar(sum);
                    for (int i = 0; i < count; i++) Assert.Equal(Scalar(() => LaneSum.Compute(data, starts[i], length)), actual[i]);
                }
            }
        }

        [Fact]
        public void Copying_in_and_out_of_a_mapping_sums_exactly_the_bytes_copied()
        {
            var random = new Random(13);
            const int room = (1 << 20) + 256;
            IntPtr block = Marshal.AllocHGlobal(room);
            try
            {
                var memory = new MappedMemory(block, room);
                foreach (int length in Lengths)
                {
                    int at = random.Next(0, 9);
                    var source = new byte[length + 3];
                    random.NextBytes(source);
                    var writing = default(LaneSumState);
                    memory.CopySummed(at, source, 3, length, toMapping: true, ref writing);
                    var back = new byte[length + 1];
                    var reading = default(LaneSumState);
                    memory.CopySummed(at, back, 1, length, toMapping: false, ref reading);

                    uint expected = Scalar(() => LaneSum.Compute(source, 3, length));
                    Assert.Equal(expected, writing.Finish());
                    Assert.Equal(expected, reading.Finish());
                    Assert.True(source.AsSpan(3).SequenceEqual(back.AsSpan(1)), $"bytes differ after a round trip of {length}");

                    // Summed first, then copied: the same sum, and the same bytes in the mapping.
                    memory.Clear(at, length);
                    var summedFirst = default(LaneSumState);
                    memory.SumThenWrite(at, source, 3, length, ref summedFirst);
                    Assert.Equal(expected, summedFirst.Finish());
                    Array.Clear(back, 0, back.Length);
                    memory.Read(at, back, 1, length);
                    Assert.True(source.AsSpan(3).SequenceEqual(back.AsSpan(1)), $"bytes differ after summing, then writing {length}");
                }

                var outside = default(LaneSumState);
                Assert.Throws<ArgumentOutOfRangeException>(() => memory.CopySummed(room - 10, new byte[64], 0, 64, toMapping: false, ref outside));
                Assert.Throws<ArgumentOutOfRangeException>(() => memory.SumThenWrite(room - 10, new byte[64], 0, 64, ref outside));
                Assert.Equal(0L, outside.Length);
            }
            finally
            {
                Marshal.FreeHGlobal(block);
            }
        }

        [Theory]
        [InlineData(ChecksumAlgorithm.LaneSum)]
        [InlineData(ChecksumAlgorithm.Crc32)]
        public void A_value_read_into_a_buffer_allocates_nothing_and_a_short_buffer_reads_nothing(ChecksumAlgorithm algorithm)
        {
            using var segment = SharedMemorySegment.Open(new SegmentOptions(_name) { Size = 4 << 20, Checksum = algorithm });
            using var locked = segment.Lock();
            var buffer = new byte[(1 << 20) + 10];
            Assert.Equal(-1, locked.ReadValue(buffer, 0, out PayloadKind none, out _));
            Assert.Equal(PayloadKind.None, none);

            var payload = new byte[(1 << 20) + 7];
            new Random(17).NextBytes(payload);
            ulong written = locked.WriteValue(PayloadKind.Bytes, payload);
            locked.ReadValue(buffer, 3, out _, out _);
            long before = GC.GetAllocatedBytesForCurrentThread();
            int length = locked.ReadValue(buffer, 3, out PayloadKind kind, out ulong version);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            Assert.Equal(payload.Length, length);
            Assert.Equal(PayloadKind.Bytes, kind);
            Assert.Equal(written, version);
            Assert.True(payload.AsSpan().SequenceEqual(buffer.AsSpan(3, length)));
            Assert.True(allocated < 1024, $"reading 1 MiB into a buffer allocated {allocated} bytes");

            var small = new byte[payload.Length - 1];
            var e = Assert.Throws<SharedMemoryException>(() => locked.ReadValue(small, 0, out _, out _));
            Assert.Equal(SharedMemoryError.ValueTooLarge, e.Error);
            Assert.All(small, b => Assert.Equal(0, b));
        }

        private static T Scalar<T>(Func<T> compute)
        {
            bool was = LaneSumVectors.Enabled;
            LaneSumVectors.Enabled = false;
            try
            {
                return compute();
            }
            finally
            {
                LaneSumVectors.Enabled = was;
            }
        }
    }
}
