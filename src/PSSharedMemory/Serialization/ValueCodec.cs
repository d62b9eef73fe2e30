using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Text;

namespace PSSharedMemory.Serialization
{
    /// <summary>
    /// Turns pipeline objects into a stored value and back, the way Export-Clixml and Import-Clixml do:
    /// a single byte array stays bytes, a single string stays UTF-8 text, a single plain
    /// <c>[pscustomobject]</c> of primitives takes the flat form that reads back as CliXml would, anything
    /// else is CliXml.
    /// </summary>
    internal static class ValueCodec
    {
        public const int DefaultDepth = 2;
        /// <summary>UTF-8 that refuses what it cannot encode or decode exactly, for every text the stored forms hold.</summary>
        internal static readonly UTF8Encoding StrictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

        /// <summary>
        /// The stored form of <paramref name="inputs"/>; <paramref name="readMembersDirectly"/> is evaluated only
        /// when a plain object's members are to be read (<see cref="FlatObjectCodec.CanReadMembersDirectly"/>).
        /// </summary>
        public static StoredValue Encode(IReadOnlyList<object?> inputs, int depth, Lazy<bool> readMembersDirectly)
        {
            if (inputs.Count == 1)
            {
                object? single = inputs[0] is PSObject wrapped && wrapped.ImmediateBaseObject is byte[] or string ? wrapped.ImmediateBaseObject : inputs[0];
                if (single is byte[] bytes) return new StoredValue(PayloadKind.Bytes, bytes);
                if (single is string text && IsValidUtf16(text)) return new StoredValue(PayloadKind.Utf8Text, StrictUtf8.GetBytes(text));
                byte[]? flat = FlatObjectCodec.TryEncode(single, depth, readMembersDirectly);
                if (flat is not null) return new StoredValue(PayloadKind.FlatObject, flat);
                return CliXml(single, depth);
            }

            var items = new object?[inputs.Count];
            for (int i = 0; i < items.Length; i++) items[i] = inputs[i];
            return CliXml(items, depth);
        }

        /// <summary>The object to emit and whether to enumerate it, as a command's output would be.</summary>
        public static (object? Value, bool Enumerate) Decode(StoredValue value) => value.Kind switch
        {
            PayloadKind.Bytes => (value.Payload, false),
            PayloadKind.Utf8Text => (StrictUtf8.GetString(value.Payload), false),
            PayloadKind.FlatObject => (FlatObjectCodec.Decode(value.Payload), false),
            _ => (PSSerializer.Deserialize(StrictUtf8.GetString(value.Payload)), true),
        };

        /// <summary>A string with a lone surrogate has no UTF-8 form; CliXml escapes it and keeps it exactly.</summary>
        private static bool IsValidUtf16(string text)
        {
            for (int i = 0; i < text.Length; i++)
            {
                if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
                else if (char.IsSurrogate(text[i])) return false;
            }

            return true;
        }

        private static StoredValue CliXml(object? value, int depth) =>
            new StoredValue(PayloadKind.CliXml, StrictUtf8.GetBytes(PSSerializer.Serialize(value, depth)));
    }
}
