using System;
using System.IO;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace PSSharedMemory
{
    /// <summary>
    /// LaneSum in 256-bit vectors, where the runtime has them: PowerShell 7 on x64 with AVX2. Elsewhere,
    /// including Windows PowerShell 5.1, whose .NET Framework does not carry this System.Numerics.Vectors,
    /// <see cref="Enabled"/> is false and LaneSum stays scalar; the module ships no assembly for it.
    /// Only members that the probe has cleared may name a vector type, so that the JIT never meets one on a
    /// runtime that lacks it.
    /// </summary>
    internal static class LaneSumVectors
    {
        /// <summary>Bytes per step: two vectors of eight words, which are four blocks of the four lanes.</summary>
        public const int Stride = 64;

        /// <summary>True where the vector code runs; tests switch it off to check it against the scalar code.</summary>
        internal static bool Enabled { get; set; } = Probe();

        /// <summary>
        /// Sums <paramref name="count"/> bytes into <paramref name="state"/>. A last partial stride is summed as a
        /// whole one where the array goes on for a stride past its start: read with the bytes after the payload
        /// masked to zero, then each block of zeros after the payload's end taken back out of B (each added A to
        /// B once). A 100-byte queue message is then two vector steps, where its last 36 bytes in scalar code
        /// cost more than the rest of the message; a tail at the very end of its array is summed in scalar code.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void Append(ref LaneSumState state, byte[] data, int index, int count)
        {
            int vectored = VectoredLength(data, index, count);
            if (vectored == 0)
            {
                state.AppendScalar(data, index, count);
                return;
            }

            Sum(data, index, vectored, out Vector<ulong> a, out Vector<ulong> b);
            Merge(ref state, vectored, a, b);
            if (vectored < count) state.AppendScalar(data, index + vectored, count - vectored);
        }

        /// <summary>
        /// The sums of a whole payload from zero, A then B, into <paramref name="sums"/> from <paramref name="at"/>
        /// (<see cref="LaneSumState.SumWords"/> words), as <see cref="LaneSumState.FinishFour"/> reads them; false,
        /// with nothing written, where part of the payload is left for scalar code. A queue message of a few
        /// hundred bytes then costs a few vector steps and two stores, without the merge into a state that
        /// <see cref="Append"/> does for a payload arriving in pieces.
        /// </summary>
        public static bool TrySum(byte[] data, int index, int count, ulong[] sums, int at)
        {
            if (data is null) throw new ArgumentNullException(nameof(data));
            if (index < 0 || count < 0 || index > data.Length - count) throw new ArgumentOutOfRangeException(nameof(count));
            if (VectoredLength(data, index, count) != count) return false;
            Sum(data, index, count, out Vector<ulong> a, out Vector<ulong> b);
            a.CopyTo(sums, at);
            b.CopyTo(sums, at + Vector<ulong>.Count);
            return true;
        }

        /// <summary>How many of <paramref name="count"/> bytes the vector code sums: whole strides, and a last partial one where it can be read masked.</summary>
        private static int VectoredLength(byte[] data, int index, int count)
        {
            int whole = count - (count % Stride);
            bool masked = whole < count && data.Length - (index + whole) >= Stride;
            return masked ? count : whole;
        }

        /// <summary>
        /// The sums from zero of <paramref name="count"/> bytes, the last partial stride, if any, read masked. The
        /// loop works on locals, assigned to the results once at the end: working on the results themselves, the
        /// JIT stored both sums to the stack and loaded them back at every stride, which held a long sum to half
        /// the speed of the same loop over a mapping.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Sum(byte[] data, int index, int count, out Vector<ulong> sumA, out Vector<ulong> sumB)
        {
            int whole = count - (count % Stride);
            int rest = count - whole;
            Vector<ulong> a = Vector<ulong>.Zero, b = Vector<ulong>.Zero;
            int half = Stride / 2;
            for (int i = index, stop = index + whole; i < stop; i += Stride)
            {
                Step(Vector.AsVectorUInt32(new Vector<byte>(data, i)), Vector.AsVectorUInt32(new Vector<byte>(data, i + half)), ref a, ref b);
            }

            if (rest > 0)
            {
                byte[] mask = TailMask.Bytes;
                int at = index + whole;
                Vector<byte> first = new Vector<byte>(data, at) & new Vector<byte>(mask, Stride - rest);
                Vector<byte> second = new Vector<byte>(data, at + half) & new Vector<byte>(mask, Stride - rest + half);
                Step(Vector.AsVectorUInt32(first), Vector.AsVectorUInt32(second), ref a, ref b);
                for (int zeroBlock = (rest + 15) / 16; zeroBlock < Stride / 16; zeroBlock++) b -= a;
            }

            sumA = a;
            sumB = b;
        }

        /// <summary>
        /// Adds one stride, blocks k..k+3, to sums that started from zero. Folding four blocks into one update
        /// of A and B (<c>B += 4A + 4w[k] + 3w[k+1] + 2w[k+2] + w[k+3]</c>) keeps the loop from waiting on its
        /// own additions.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Step(Vector<uint> first, Vector<uint> second, ref Vector<ulong> a, ref Vector<ulong> b)
        {
            Vector.Widen(first, out Vector<ulong> w0, out Vector<ulong> w1);
            Vector.Widen(second, out Vector<ulong> w2, out Vector<ulong> w3);
            Vector<ulong> firstPair = w0 + w1;
            Vector<ulong> secondPair = w2 + w3;
            Vector<ulong> twiceA = a + a;
            b += (twiceA + twiceA) + (w0 + firstPair) + (firstPair + firstPair) + (w2 + secondPair);
            a += firstPair + secondPair;
        }

        /// <summary>Adds sums that started from zero over <paramref name="bytes"/> bytes, the last block zero-padded if partial.</summary>
        public static void Merge(ref LaneSumState state, int bytes, Vector<ulong> a, Vector<ulong> b) =>
            state.AppendSums(bytes, a[0], a[1], a[2], a[3], b[0], b[1], b[2], b[3]);

        /// <summary>
        /// True where the hardware has 256-bit vectors and the vector code, run once, agrees with the scalar
        /// code. Running it is what proves that every vector member it uses exists: an older
        /// System.Numerics.Vectors, such as a .NET Framework's own, may lack one, and the JIT only says so
        /// when it compiles the method that calls it.
        /// </summary>
        private static bool Probe()
        {
            try
            {
                if (!HardwareHasWideVectors()) return false;
                // The mask's class is made ready before Append is first called, and so compiled: code compiled
                // while it is not yet ready checks it at every access, a call on a path through the loop, and
                // around that call the JIT kept the loop's sums on the stack instead of in registers.
                if (TailMask.Bytes.Length != 2 * Stride) return false;
                // A stride and a partial one ending in a partial block, read masked: every vector path of Append.
                const int Length = Stride + 36;
                var sample = new byte[2 * Stride];
                for (int i = 0; i < sample.Length; i++) sample[i] = (byte)((i * 37) + 11);
                var vector = default(LaneSumState);
                Append(ref vector, sample, 0, Length);
                var scalar = default(LaneSumState);
                scalar.AppendScalar(sample, 0, Length);
                return vector.Finish() == scalar.Finish();
            }
            catch (Exception e) when (e is FileNotFoundException || e is FileLoadException || e is TypeLoadException || e is MissingMemberException
                || e is BadImageFormatException || e is NotSupportedException || e is InvalidProgramException)
            {
                return false;
            }
        }

        /// <summary>
        /// A stride of ones then a stride of zeros: read from <c>Stride - n</c>, it keeps the first n bytes. In a
        /// class of its own, which is ready before any code reads it, because <see cref="Append"/> is compiled
        /// while this class's own initialiser runs the probe, and code compiled then checks the class on every
        /// access to a field of it.
        /// </summary>
        private static class TailMask
        {
            public static readonly byte[] Bytes = Ones(Stride, 2 * Stride);

            private static byte[] Ones(int ones, int length)
            {
                var bytes = new byte[length];
                for (int i = 0; i < ones; i++) bytes[i] = 0xFF;
                return bytes;
            }
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static bool HardwareHasWideVectors() => Vector.IsHardwareAccelerated && Vector<uint>.Count == 8;
    }
}
