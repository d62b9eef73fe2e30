using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;

namespace PSSharedMemory.Serialization
{
    /// <summary>
    /// Reads the <see cref="PayloadKind.FlatObject"/> form back into the object PowerShell's deserializer would
    /// make, checking every length and name against the payload, whatever it claims: another process wrote it.
    /// </summary>
    internal static class FlatObjectDecoder
    {
        /// <summary>The type names an array read back carries, by element code, made once.</summary>
        private static readonly Dictionary<FlatObjectCodec.TypeCode, SerializerView.SharedTypeNames> DeserializedArrayTypeNames = BuildArrayTypeNames();
        private static readonly SerializerView.SharedTypeNames DeserializedCustomObjectTypeNames = SerializerView.ShareTypeNames(FlatObjectCodec.DeserializedPrefix + FlatObjectCodec.CustomObjectType, FlatObjectCodec.DeserializedPrefix + FlatObjectCodec.ObjectType);

        /// <summary>The member names PowerShell keeps for itself on every object; adding one as a property is refused.</summary>
        private static readonly string[] ReservedMemberNames = { "psbase", "psadapted", "psextended", "psobject", "pstypenames" };

        /// <inheritdoc cref="FlatObjectCodec.Decode"/>
        public static PSObject Decode(byte[] payload)
        {
            var reader = new Reader(payload);
            if (reader.Byte() != FlatObjectCodec.FormatVersion) throw new InvalidDataException("unknown flat object format");
            int count = reader.UInt16();
            var result = new PSObject();
            SerializerView.SetTypeNames(result, DeserializedCustomObjectTypeNames);
            var names = new PropertyNames(count);
            for (int i = 0; i < count; i++)
            {
                string name = reader.Text(reader.UInt16());
                names.Add(name);
                // Checked above rather than by Add, which would also look each name up in the type data of the
                // object's type names: the deserializer does not, as it adds a deserialized object's notes to the
                // object's own members directly, and that lookup was a large share of reading an object.
                result.Properties.Add(new PSNoteProperty(name, ReadValue(ref reader, allowArray: true)), preValidated: true);
            }

            if (!reader.AtEnd) throw new InvalidDataException("bytes after the last property");
            return result;
        }

        private static object? ReadValue(ref Reader reader, bool allowArray)
        {
            var code = (FlatObjectCodec.TypeCode)reader.Byte();
            return code switch
            {
                FlatObjectCodec.TypeCode.Array when allowArray => ReadArray(ref reader),
                FlatObjectCodec.TypeCode.Null => null,
                FlatObjectCodec.TypeCode.String => reader.Text(checked((int)reader.UInt32())),
                FlatObjectCodec.TypeCode.Boolean => reader.Byte() switch
                {
                    0 => false,
                    1 => true,
                    _ => throw new InvalidDataException("a boolean that is neither 0 nor 1"),
                },
                FlatObjectCodec.TypeCode.Char => (char)reader.UInt16(),
                FlatObjectCodec.TypeCode.SByte => (sbyte)reader.Byte(),
                FlatObjectCodec.TypeCode.Byte => reader.Byte(),
                FlatObjectCodec.TypeCode.Int16 => (short)reader.UInt16(),
                FlatObjectCodec.TypeCode.UInt16 => reader.UInt16(),
                FlatObjectCodec.TypeCode.Int32 => (int)reader.UInt32(),
                FlatObjectCodec.TypeCode.UInt32 => reader.UInt32(),
                FlatObjectCodec.TypeCode.Int64 => (long)reader.UInt64(),
                FlatObjectCodec.TypeCode.UInt64 => reader.UInt64(),
                FlatObjectCodec.TypeCode.Single => BitConverter.ToSingle(reader.Bytes(4), 0),
                FlatObjectCodec.TypeCode.Double => BitConverter.Int64BitsToDouble((long)reader.UInt64()),
                FlatObjectCodec.TypeCode.Decimal => new decimal(new[] { (int)reader.UInt32(), (int)reader.UInt32(), (int)reader.UInt32(), (int)reader.UInt32() }),
                FlatObjectCodec.TypeCode.DateTime => DateTime.FromBinary((long)reader.UInt64()),
                FlatObjectCodec.TypeCode.TimeSpan => new TimeSpan((long)reader.UInt64()),
                FlatObjectCodec.TypeCode.Guid => new Guid(reader.Bytes(16)),
                _ => throw new InvalidDataException($"unknown value type {(byte)code}"),
            };
        }

        /// <summary>
        /// The property names of an object being read, refusing what Add would have: a name PowerShell keeps for
        /// its own members, and a name given twice (property names are case-insensitive, and Add would take "Id"
        /// after "ID"). Objects have a few properties, so a name is compared with those before it one by one; a
        /// long list goes into a set.
        /// </summary>
        private struct PropertyNames
        {
            private const int FewNames = 16;
            private readonly string[]? _few;
            private readonly HashSet<string>? _many;
            private int _count;

            public PropertyNames(int count)
            {
                _few = count <= FewNames ? new string[count] : null;
                _many = count <= FewNames ? null : new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                _count = 0;
            }

            public void Add(string name)
            {
                foreach (string reserved in ReservedMemberNames)
                {
                    if (string.Equals(name, reserved, StringComparison.OrdinalIgnoreCase)) throw new InvalidDataException($"property '{name}' is a name PowerShell keeps for itself");
                }

                bool twice = false;
                if (_many is not null)
                {
                    twice = !_many.Add(name);
                }
                else
                {
                    for (int i = 0; i < _count && !twice; i++) twice = string.Equals(name, _few![i], StringComparison.OrdinalIgnoreCase);
                    _few![_count] = name;
                }

                if (twice) throw new InvalidDataException($"property '{name}' twice");
                _count++;
            }
        }

        /// <summary>An array as CliXml gives it back: an ArrayList carrying the array type's names, deserialized.</summary>
        private static PSObject ReadArray(ref Reader reader)
        {
            var element = (FlatObjectCodec.TypeCode)reader.Byte();
            if (!DeserializedArrayTypeNames.TryGetValue(element, out SerializerView.SharedTypeNames? typeNames)) throw new InvalidDataException($"unknown array element type {(byte)element}");
            uint count = reader.UInt32();
            // Every element takes at least one byte: a count beyond what is left is a lie, not a reason to allocate.
            if (count > reader.Remaining) throw new InvalidDataException("an array longer than the payload");
            var items = new System.Collections.ArrayList((int)count);
            for (uint i = 0; i < count; i++) items.Add(ReadValue(ref reader, allowArray: false));
            var result = new PSObject(items);
            SerializerView.SetTypeNames(result, typeNames);
            return result;
        }

        private static Dictionary<FlatObjectCodec.TypeCode, SerializerView.SharedTypeNames> BuildArrayTypeNames()
        {
            var names = new Dictionary<FlatObjectCodec.TypeCode, SerializerView.SharedTypeNames>();
            foreach (KeyValuePair<Type, FlatObjectCodec.TypeCode> known in FlatObjectCodec.ArrayElementCodes)
            {
                var chain = new List<string>();
                for (Type? type = known.Key.MakeArrayType(); type is not null; type = type.BaseType) chain.Add(FlatObjectCodec.DeserializedPrefix + type.FullName);
                names[known.Value] = SerializerView.ShareTypeNames(chain.ToArray());
            }

            return names;
        }

        /// <summary>Reads the payload front to back; every length is checked against what is left, whatever it claims.</summary>
        private struct Reader
        {
            private readonly byte[] _payload;
            private int _at;

            public Reader(byte[] payload)
            {
                _payload = payload;
                _at = 0;
            }

            public bool AtEnd => _at == _payload.Length;

            public int Remaining => _payload.Length - _at;

            public byte Byte() => _payload[Take(1)];

            public ushort UInt16() => BitConverter.ToUInt16(_payload, Take(2));

            public uint UInt32() => BitConverter.ToUInt32(_payload, Take(4));

            public ulong UInt64() => BitConverter.ToUInt64(_payload, Take(8));

            public byte[] Bytes(int count)
            {
                var bytes = new byte[count];
                Array.Copy(_payload, Take(count), bytes, 0, count);
                return bytes;
            }

            public string Text(int byteCount) => ValueCodec.StrictUtf8.GetString(_payload, Take(byteCount), byteCount);

            private int Take(int count)
            {
                if (count < 0 || count > _payload.Length - _at) throw new InvalidDataException("a field runs past the end of the payload");
                int at = _at;
                _at += count;
                return at;
            }
        }
    }
}
