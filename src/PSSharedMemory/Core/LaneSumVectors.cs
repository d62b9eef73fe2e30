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

        /// <summary>Sums the whole strides at the start of <paramref name="count"/> bytes into <paramref name="state"/>; returns how many bytes that was.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static int AppendStrides(ref LaneSumState state, byte[] data, int index, int count)
        {
            int bytes = count - (count % Stride);
            Vector<ulong> a = Vector<ulong>.Zero, b = Vector<ulong>.Zero;
            int half = Stride / 2;
            for (int i = index, stop = index + bytes; i < stop; i += Stride)
            {
                Step(Vector.AsVectorUInt32(new Vector<byte>(data, i)), Vector.AsVectorUInt32(new Vector<byte>(data, i + half)), ref a, ref b);
            }

            Merge(ref state, bytes, a, b);
            return bytes;
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
                var sample = new byte[Stride];
                for (int i = 0; i < sample.Length; i++) sample[i] = (byte)((i * 37) + 11);
                var vector = default(LaneSumState);
                AppendStrides(ref vector, sample, 0, sample.Length);
                var scalar = default(LaneSumState);
                scalar.AppendBlocks(sample, 0, sample.Length);
                return vector.Finish() == scalar.Finish();
            }
            catch (Exception e) when (e is FileNotFoundException || e is FileLoadException || e is TypeLoadException || e is MissingMemberException
                || e is BadImageFormatException || e is NotSupportedException || e is InvalidProgramException)
            {
                return false;
            }
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static bool HardwareHasWideVectors() => Vector.IsHardwareAccelerated && Vector<uint>.Count == 8;
    }
}
