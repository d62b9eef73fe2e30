using System;
using System.Collections.Generic;
using System.Management.Automation;

namespace PSSharedMemory.Serialization
{
    /// <summary>
    /// The <see cref="PayloadKind.FlatObject"/> form (docs/layout.md): a plain <c>[pscustomobject]</c> whose
    /// properties hold null or primitives, which is what most scripts send, written without CliXml. CliXml
    /// costs tens of microseconds per object in PSSerializer; this costs a few. It applies only where the
    /// result is exactly what CliXml gives: the same property names in the same order, values of the same
    /// types, and the type names "Deserialized.System.Management.Automation.PSCustomObject" and
    /// "Deserialized.System.Object". Anything else, a type name of its own included (it may have type data
    /// that changes how CliXml serializes it), goes by CliXml.
    /// </summary>
    internal static class FlatObjectCodec
    {
        internal const byte FormatVersion = 1;
        internal const string CustomObjectType = "System.Management.Automation.PSCustomObject";
        internal const string ObjectType = "System.Object";
        internal const string DeserializedPrefix = "Deserialized.";

        /// <summary>The value's type codes; the numbers are part of the shared byte layout.</summary>
        internal enum TypeCode : byte
        {
            Null = 0,
            String = 1,
            Boolean = 2,
            Char = 3,
            SByte = 4,
            Byte = 5,
            Int16 = 6,
            UInt16 = 7,
            Int32 = 8,
            UInt32 = 9,
            Int64 = 10,
            UInt64 = 11,
            Single = 12,
            Double = 13,
            Decimal = 14,
            DateTime = 15,
            TimeSpan = 16,
            Guid = 17,
            Array = 18,
        }

        /// <summary>Element types of arrays kept flat, by code; 0 (Null) stands for System.Object. Byte arrays are CliXml's own BA form.</summary>
        internal static readonly Dictionary<Type, TypeCode> ArrayElementCodes = new Dictionary<Type, TypeCode>
        {
            [typeof(object)] = TypeCode.Null,
            [typeof(string)] = TypeCode.String,
            [typeof(bool)] = TypeCode.Boolean,
            [typeof(char)] = TypeCode.Char,
            [typeof(sbyte)] = TypeCode.SByte,
            [typeof(short)] = TypeCode.Int16,
            [typeof(ushort)] = TypeCode.UInt16,
            [typeof(int)] = TypeCode.Int32,
            [typeof(uint)] = TypeCode.UInt32,
            [typeof(long)] = TypeCode.Int64,
            [typeof(ulong)] = TypeCode.UInt64,
            [typeof(float)] = TypeCode.Single,
            [typeof(double)] = TypeCode.Double,
            [typeof(decimal)] = TypeCode.Decimal,
            [typeof(DateTime)] = TypeCode.DateTime,
            [typeof(TimeSpan)] = TypeCode.TimeSpan,
            [typeof(Guid)] = TypeCode.Guid,
        };

        /// <summary>The same codes by array type (string[] for String, and so on).</summary>
        private static readonly Dictionary<Type, TypeCode> ArrayTypeCodes = BuildArrayTypeCodes();

        /// <summary>The empty object whose properties <see cref="CanReadMembersDirectly"/> lists, one per thread.</summary>
        [ThreadStatic]
        private static PSObject? emptyObject;

        /// <summary>
        /// Whether this runspace lets plain objects' members be read directly (<see cref="SerializerView"/>):
        /// true when no type data and no adapter adds a property to a plain <c>[pscustomobject]</c>, as then its
        /// own members are all that PSObject.Properties would list. Type data can change between commands, so
        /// a command asks once per call.
        /// </summary>
        public static bool CanReadMembersDirectly()
        {
            if (!SerializerView.Enabled) return false;
            // One empty object per thread, asked every time: the first listing of a fresh object's properties
            // builds its reserved member sets, about 4 µs, which a script writing one object per command paid at
            // every command. Each listing looks the type data up in the current runspace all the same.
            foreach (PSPropertyInfo unused in (emptyObject ??= new PSObject()).Properties) return false;
            return true;
        }

        /// <summary>
        /// The flat form of <paramref name="value"/>, or null when it is not such an object. Arrays of primitives
        /// are kept only from a depth of 2, where CliXml keeps their elements too. <paramref name="direct"/>, evaluated
        /// only for a plain object, says whether its members may be read directly (<see cref="CanReadMembersDirectly"/>).
        /// </summary>
        public static byte[]? TryEncode(object? value, int depth, Lazy<bool> direct)
        {
            if (value is not PSObject obj || obj.ImmediateBaseObject is not PSCustomObject) return null;
            IList<string> typeNames = SerializerView.TypeNames(obj);
            if (typeNames.Count != 2 || typeNames[0] != CustomObjectType || typeNames[1] != ObjectType) return null;
            bool directly = direct.Value;

            FlatObjectWriter writer = FlatObjectWriter.Rent();
            try
            {
                writer.Byte(FormatVersion);
                int countAt = writer.Length;
                writer.UInt16(0);
                int count = 0;
                bool allowArrays = depth >= 2;
                if (directly)
                {
                    foreach (PSPropertyInfo property in SerializerView.Properties(obj))
                    {
                        if (!TryWriteProperty(writer, property, ref count, allowArrays, directly)) return null;
                    }
                }
                else
                {
                    foreach (PSPropertyInfo property in obj.Properties)
                    {
                        if (!TryWriteProperty(writer, property, ref count, allowArrays, directly)) return null;
                    }
                }

                writer.UInt16At(countAt, (ushort)count);
                return writer.ToArray();
            }
            finally
            {
                writer.Release();
            }
        }

        /// <summary>The object a flat payload stands for, as PowerShell's deserializer would make it.</summary>
        public static PSObject Decode(byte[] payload) => FlatObjectDecoder.Decode(payload);

        private static bool TryWriteProperty(FlatObjectWriter writer, PSPropertyInfo property, ref int count, bool allowArrays, bool directly)
        {
            if (property is not PSNoteProperty || count == ushort.MaxValue) return false;
            if (!writer.Text(property.Name, lengthBytes: 2)) return false;
            if (!TryWriteValue(writer, property.Value, allowArrays, directly)) return false;
            count++;
            return true;
        }

        private static bool TryWriteValue(FlatObjectWriter writer, object? value, bool allowArray, bool directly)
        {
            if (value is PSObject wrapped)
            {
                // Values from the pipeline ($_) arrive wrapped; CliXml writes such a wrapper as the bare value
                // unless it carries notes or type names of its own, and so does this.
                if (!IsBareWrapper(wrapped, directly)) return false;
                value = wrapped.ImmediateBaseObject;
            }

            if (value is Array array)
            {
                // Keyed by the array type itself, so that only one-dimensional, zero-based arrays are found.
                if (!allowArray || !ArrayTypeCodes.TryGetValue(array.GetType(), out TypeCode element)) return false;
                writer.Byte((byte)TypeCode.Array);
                writer.Byte((byte)element);
                writer.Int32(array.Length);
                foreach (object? item in array)
                {
                    if (!TryWriteValue(writer, item, allowArray: false, directly)) return false;
                }

                return true;
            }

            switch (value)
            {
                case null:
                    writer.Byte((byte)TypeCode.Null);
                    return true;
                case string text:
                    writer.Byte((byte)TypeCode.String);
                    return writer.Text(text, lengthBytes: 4);
                case bool flag:
                    writer.Byte((byte)TypeCode.Boolean);
                    writer.Byte(flag ? (byte)1 : (byte)0);
                    return true;
                case char c:
                    writer.Byte((byte)TypeCode.Char);
                    writer.UInt16(c);
                    return true;
                case sbyte n:
                    writer.Byte((byte)TypeCode.SByte);
                    writer.Byte((byte)n);
                    return true;
                case byte n:
                    writer.Byte((byte)TypeCode.Byte);
                    writer.Byte(n);
                    return true;
                case short n:
                    writer.Byte((byte)TypeCode.Int16);
                    writer.UInt16((ushort)n);
                    return true;
                case ushort n:
                    writer.Byte((byte)TypeCode.UInt16);
                    writer.UInt16(n);
                    return true;
                case int n:
                    writer.Byte((byte)TypeCode.Int32);
                    writer.Int32(n);
                    return true;
                case uint n:
                    writer.Byte((byte)TypeCode.UInt32);
                    writer.Int32((int)n);
                    return true;
                case long n:
                    writer.Byte((byte)TypeCode.Int64);
                    writer.Int64(n);
                    return true;
                case ulong n:
                    writer.Byte((byte)TypeCode.UInt64);
                    writer.Int64((long)n);
                    return true;
                case float n:
                    writer.Byte((byte)TypeCode.Single);
                    writer.Bytes(BitConverter.GetBytes(n));
                    return true;
                case double n:
                    writer.Byte((byte)TypeCode.Double);
                    writer.Int64(BitConverter.DoubleToInt64Bits(n));
                    return true;
                case decimal n:
                    writer.Byte((byte)TypeCode.Decimal);
                    foreach (int part in decimal.GetBits(n)) writer.Int32(part);
                    return true;
                case DateTime time:
                    // ToBinary keeps the kind, and stores local times as the instant, which CliXml also keeps.
                    writer.Byte((byte)TypeCode.DateTime);
                    writer.Int64(time.ToBinary());
                    return true;
                case TimeSpan span:
                    writer.Byte((byte)TypeCode.TimeSpan);
                    writer.Int64(span.Ticks);
                    return true;
                case Guid guid:
                    writer.Byte((byte)TypeCode.Guid);
                    writer.Bytes(guid.ToByteArray());
                    return true;
                default:
                    // Wrapped values may carry members of their own, and other types have their own CliXml forms.
                    return false;
            }
        }

        private static Dictionary<Type, TypeCode> BuildArrayTypeCodes()
        {
            var codes = new Dictionary<Type, TypeCode>();
            foreach (KeyValuePair<Type, TypeCode> known in ArrayElementCodes) codes[known.Key.MakeArrayType()] = known.Value;
            return codes;
        }

        private static bool IsBareWrapper(PSObject wrapped, bool directly)
        {
            object inner = wrapped.ImmediateBaseObject;
            if (inner is PSObject || inner is PSCustomObject) return false;
            IList<string> typeNames = SerializerView.TypeNames(wrapped);
            int i = 0;
            for (Type? type = inner.GetType(); type is not null; type = type.BaseType, i++)
            {
                if (i >= typeNames.Count || typeNames[i] != type.FullName) return false;
            }

            if (i != typeNames.Count) return false;
            return directly ? !SerializerView.HasMembers(wrapped) : wrapped.Properties.Match("*", PSMemberTypes.NoteProperty).Count == 0;
        }
    }
}
