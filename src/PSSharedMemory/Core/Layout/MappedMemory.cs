using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Threading;

namespace PSSharedMemory
{
    /// <summary>
    /// The only place that touches mapped memory through pointers. Every access is checked against the
    /// length of the mapping itself, never against anything read from shared memory, because another
    /// process can write anything there.
    /// </summary>
    internal sealed unsafe class MappedMemory
    {
        private readonly byte* _base;

        public MappedMemory(IntPtr address, long length)
        {
            if (address == IntPtr.Zero) throw new ArgumentNullException(nameof(address));
            if (length < 0) throw new ArgumentOutOfRangeException(nameof(length));
            _base = (byte*)address;
            Length = length;
        }

        public long Length { get; }

        public bool Contains(long offset, long count) =>
            offset >= 0 && count >= 0 && offset <= Length && count <= Length - offset;

        public void Write(long offset, byte[] source, int sourceIndex, int count)
        {
            CheckArray(source, sourceIndex, count);
            Check(offset, count);
            fixed (byte* src = source)
            {
                Buffer.MemoryCopy(src + sourceIndex, _base + offset, Length - offset, count);
            }
        }

        public void Read(long offset, byte[] destination, int destinationIndex, int count)
        {
            CheckArray(destination, destinationIndex, count);
            Check(offset, count);
            fixed (byte* dst = destination)
            {
                Buffer.MemoryCopy(_base + offset, dst + destinationIndex, destination.Length - destinationIndex, count);
            }
        }

        /// <summary>
        /// Copies between the mapping and <paramref name="array"/>, in the direction <paramref name="toMapping"/>
        /// says, and adds the bytes copied to <paramref name="laneSum"/>: in one pass where vectors allow.
        /// </summary>
        public void CopySummed(long offset, byte[] array, int index, int count, bool toMapping, ref LaneSumState laneSum)
        {
            CheckArray(array, index, count);
            Check(offset, count);
            int fused = FusedLength(count);
            if (fused > 0)
            {
                fixed (byte* pinned = array)
                {
                    byte* mapped = _base + offset;
                    byte* managed = pinned + index;
                    if (toMapping) CopyAndSum(managed, mapped, fused, ref laneSum);
                    else CopyAndSum(mapped, managed, fused, ref laneSum);
                }
            }

            if (toMapping) Write(offset + fused, array, index + fused, count - fused);
            else Read(offset + fused, array, index + fused, count - fused);
            laneSum.Append(array, index + fused, count - fused);
        }

        /// <summary>
        /// Adds bytes of <paramref name="source"/> to <paramref name="laneSum"/>, then copies them into the mapping:
        /// two passes, for memory that another core reads as it is written (a queue's long message). There the
        /// fused loop's vector stores ran at half the speed of a memory copy, which writes whole cache lines
        /// without fetching them from the reading core first. The sum reads the source through a pointer: the
        /// same loop over the array, each read bounds-checked, took half as long again.
        /// </summary>
        public void SumThenWrite(long offset, byte[] source, int index, int count, ref LaneSumState laneSum)
        {
            CheckArray(source, index, count);
            Check(offset, count);
            int strides = FusedLength(count);
            if (strides > 0)
            {
                fixed (byte* pinned = source)
                {
                    Sum(pinned + index, strides, ref laneSum);
                }
            }

            laneSum.Append(source, index + strides, count - strides);
            Write(offset, source, index, count);
        }

        public byte[] ReadArray(long offset, long count)
        {
            Check(offset, count);
            if (count > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(count));
            byte[] result = UnzeroedArrays.New((int)count);
            Read(offset, result, 0, (int)count);
            return result;
        }

        /// <summary>
        /// Arrays for bytes about to be copied over whole: GC.AllocateUninitializedArray where the runtime has it
        /// (.NET 5 and later), which skips zeroing what the copy overwrites anyway; else a plain new array. A class
        /// of its own so that the runtime is asked once, at the first raw read, not when any mapping is first used.
        /// </summary>
        private static class UnzeroedArrays
        {
            private static readonly Func<int, bool, byte[]>? Allocate = Find();

            public static byte[] New(int length) => Allocate?.Invoke(length, false) ?? new byte[length];

            private static Func<int, bool, byte[]>? Find()
            {
                var method = typeof(GC).GetMethod("AllocateUninitializedArray", new[] { typeof(int), typeof(bool) });
                return method is null ? null : (Func<int, bool, byte[]>)method.MakeGenericMethod(typeof(byte)).CreateDelegate(typeof(Func<int, bool, byte[]>));
            }
        }

        public void Clear(long offset, long count)
        {
            Check(offset, count);
            for (long i = 0; i < count; i++) _base[offset + i] = 0;
        }

        public ushort ReadUInt16(long offset)
        {
            Check(offset, sizeof(ushort));
            return *(ushort*)(_base + offset);
        }

        public void WriteUInt16(long offset, ushort value)
        {
            Check(offset, sizeof(ushort));
            *(ushort*)(_base + offset) = value;
        }

        public uint ReadUInt32(long offset)
        {
            CheckAligned(offset, sizeof(uint));
            return Volatile.Read(ref *(uint*)(_base + offset));
        }

        public void WriteUInt32(long offset, uint value)
        {
            CheckAligned(offset, sizeof(uint));
            Volatile.Write(ref *(uint*)(_base + offset), value);
        }

        public ulong ReadUInt64(long offset)
        {
            CheckAligned(offset, sizeof(ulong));
            return (ulong)Volatile.Read(ref *(long*)(_base + offset));
        }

        public void WriteUInt64(long offset, ulong value)
        {
            CheckAligned(offset, sizeof(ulong));
            Volatile.Write(ref *(long*)(_base + offset), (long)value);
        }

        /// <summary>Stores <paramref name="value"/> if the word still holds <paramref name="comparand"/>, atomically; true when it did.</summary>
        public bool CompareExchangeUInt64(long offset, ulong value, ulong comparand)
        {
            CheckAligned(offset, sizeof(ulong));
            return Interlocked.CompareExchange(ref *(long*)(_base + offset), (long)value, (long)comparand) == (long)comparand;
        }

        public uint IncrementUInt32(long offset)
        {
            CheckAligned(offset, sizeof(uint));
            return (uint)Interlocked.Increment(ref *(int*)(_base + offset));
        }

        public uint DecrementUInt32(long offset)
        {
            CheckAligned(offset, sizeof(uint));
            return (uint)Interlocked.Decrement(ref *(int*)(_base + offset));
        }

        /// <summary>A pointer for the platform lock, which the operating system operates on in place.</summary>
        public IntPtr AddressOf(long offset, long count)
        {
            Check(offset, count);
            return (IntPtr)(_base + offset);
        }

        private static int FusedLength(int count) => LaneSumVectors.Enabled ? count - (count % LaneSumVectors.Stride) : 0;

        /// <summary>
        /// The sum sees exactly the words that were stored, so a reader checks its own copy. The sums live in
        /// locals until the end: kept behind the ref, every store through <paramref name="to"/> might alias them
        /// and the JIT would reload them, which made this loop two and a half times slower.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void CopyAndSum(byte* from, byte* to, int count, ref LaneSumState laneSum)
        {
            Vector<ulong> a = Vector<ulong>.Zero, b = Vector<ulong>.Zero;
            int half = LaneSumVectors.Stride / 2;
            for (int i = 0; i < count; i += LaneSumVectors.Stride)
            {
                Vector<uint> first = *(Vector<uint>*)(from + i);
                Vector<uint> second = *(Vector<uint>*)(from + i + half);
                *(Vector<uint>*)(to + i) = first;
                *(Vector<uint>*)(to + i + half) = second;
                LaneSumVectors.Step(first, second, ref a, ref b);
            }

            LaneSumVectors.Merge(ref laneSum, count, a, b);
        }

        /// <summary>The loop of <see cref="CopyAndSum"/> without the stores.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void Sum(byte* from, int count, ref LaneSumState laneSum)
        {
            Vector<ulong> a = Vector<ulong>.Zero, b = Vector<ulong>.Zero;
            int half = LaneSumVectors.Stride / 2;
            for (int i = 0; i < count; i += LaneSumVectors.Stride)
            {
                LaneSumVectors.Step(*(Vector<uint>*)(from + i), *(Vector<uint>*)(from + i + half), ref a, ref b);
            }

            LaneSumVectors.Merge(ref laneSum, count, a, b);
        }

        private void Check(long offset, long count)
        {
            if (!Contains(offset, count))
            {
                throw new ArgumentOutOfRangeException(nameof(offset), $"Access of {count} bytes at offset {offset} is outside the mapping of {Length} bytes.");
            }
        }

        private void CheckAligned(long offset, int size)
        {
            Check(offset, size);
            // Word accesses must be naturally aligned to be atomic; the layout guarantees it, a bug would not.
            if (((long)(_base + offset) & (size - 1)) != 0) throw new ArgumentException("Unaligned word access.", nameof(offset));
        }

        private static void CheckArray(byte[] array, int index, int count)
        {
            if (array is null) throw new ArgumentNullException(nameof(array));
            if (index < 0 || count < 0 || index > array.Length - count) throw new ArgumentOutOfRangeException(nameof(count));
        }
    }
}
