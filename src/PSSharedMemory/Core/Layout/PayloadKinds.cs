using System.Runtime.CompilerServices;

namespace PSSharedMemory
{
    /// <summary>Which payload kinds a value and a queue message may have: one answer for writers and readers alike.</summary>
    internal static class PayloadKinds
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool IsValue(PayloadKind kind) => kind is PayloadKind.Bytes or PayloadKind.Utf8Text or PayloadKind.CliXml or PayloadKind.FlatObject;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool IsMessage(PayloadKind kind) => IsValue(kind) || kind == PayloadKind.EndOfStream;
    }
}
