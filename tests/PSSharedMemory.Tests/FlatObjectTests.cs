using System.Collections.Generic;
using System.Collections;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Text;
using System;
using CsCheck;
using PSSharedMemory.Commands;
using PSSharedMemory.Serialization;
using PSSharedMemory.Tests.Infrastructure;
using Xunit;

namespace PSSharedMemory.Tests
{
    /// <summary>
    /// The flat form of plain [pscustomobject]s must read back exactly as CliXml would give them; anything it
    /// cannot keep exactly must go by CliXml; and flat payloads from someone else must be refused cleanly.
    /// </summary>
    public sealed class FlatObjectTests : SegmentTest
    {
        /// <summary>Type names, base type, and every property's name, member type, declared type, value type and exact value.</summary>
        private const string Describe = @"
function global:DescribeValue($v) {
    if ($null -eq $v) { return 'null|' }
    $t = $v.GetType().FullName + '[' + ($v.psobject.TypeNames -join ',') + ']'
    $s = if ($v -is [datetime]) { '{0}/{1}' -f $v.ToUniversalTime().Ticks, $v.Kind }
         elseif ($v -is [double]) { [BitConverter]::DoubleToInt64Bits($v) }
         elseif ($v -is [single]) { [BitConverter]::SingleToInt32Bits($v) }
         elseif ($v -is [string]) { [string]::Join(' ', [int[]][char[]]$v) }
         elseif ($v -is [System.Collections.IEnumerable]) { $e = $v.GetEnumerator(); $items = while ($e.MoveNext()) { DescribeValue $e.Current }; '(' + ($items -join '; ') + ')' }
         else { [System.Convert]::ToString($v, [cultureinfo]::InvariantCulture) }
    $t + '|' + $s
}
function global:Describe($o) {
    $parts = [System.Collections.Generic.List[string]]::new()
    $parts.Add(($o.psobject.TypeNames -join ','))
    $parts.Add($o.psobject.ImmediateBaseObject.GetType().FullName)
    foreach ($p in $o.psobject.Properties) {
        $parts.Add(('{0}|{1}|{2}|{3}' -f $p.Name, $p.MemberType, $p.TypeNameOfValue, (DescribeValue $p.Value)))
    }
    $parts -join [char]10
}";

        private const string FlatCases = @"
$global:cases = @(
    [pscustomobject]@{ S = 'x'; Empty = ''; Unicode = 'Grüße 😀'; Control = ""a`r`nb`t""; B = $true; F = $false; C = [char]'c'
        SB = [sbyte]-5; By = [byte]250; I16 = [int16]-300; U16 = [uint16]60000; I = -7; U = [uint32]4000000000
        L = [long]::MinValue; UL = [uint64]::MaxValue; Sg = [single]2.5; D = 0.1; M = [decimal]'1.250'; Big = [decimal]::MaxValue
        Utc = [datetime]::new(2026, 11, 26, 1, 2, 3, [DateTimeKind]::Utc).AddTicks(4567); Local = [datetime]::Now
        Unspecified = [datetime]::new(2020, 1, 1); TS = [timespan]::FromTicks(-123456789); G = [guid]'0f8fad5b-d9cb-469f-a165-70867728950e'
        N = $null }
    [pscustomobject]@{ NaN = [double]::NaN; NegZero = -0.0; Inf = [double]::PositiveInfinity; Eps = [double]::Epsilon; Max = [double]::MaxValue }
    [pscustomobject]@{}
    (1..3 | ForEach-Object { [pscustomobject]@{ Id = $_; Name = ""item$_""; Size = 1.5 * $_ } })[2]
    ([datetime]::new(2026, 1, 1), 'text', [guid]::Empty | ForEach-Object { [pscustomobject]@{ Wrapped = $_ } })[0]
    (1.5, 'text' | ForEach-Object { [pscustomobject]@{ Wrapped = $_ } })[1]
    [pscustomobject]@{ Tags = 'a', 'b'; S = [string[]]('x', 'y'); I = [int[]](1, 2); E = @(); Mixed = @(1, 'x', $null, 2.5, [guid]::Empty)
        D = [double[]](0.5, [double]::NaN); T = [datetime[]]([datetime]::new(2026, 1, 1)); Piped = (1..3 | ForEach-Object { $_ }) }
    # What scripts most often send: objects from JSON and from CSV.
    ('{ ""Id"": 7, ""Name"": ""seven"", ""Ok"": true, ""Ratio"": 0.5, ""Tags"": [""a"", ""b""], ""None"": null }' | ConvertFrom-Json)
    ('Host,Port', 'web1,443' | ConvertFrom-Csv)
    # Enumerating psobject.Properties makes PowerShell add its hidden reserved members to the object and to the wrapped value.
    (1..2 | ForEach-Object { [pscustomobject]@{ Id = $_; S = 's' } } | ForEach-Object { $null = @($_.psobject.Properties); $null = @($_.Id.psobject.Properties); $_ })[1]
    # Texts past what the writer keeps between objects, measured before they are written; then a small object again.
    [pscustomobject]@{ Long = 'é' * 70000; Wide = '😀' * 40000; Ascii = 'x' * 300000 }
    [pscustomobject]@{ After = 'small' }
)";

        private const string ArrayCases = @"
$global:cases = @(
    [pscustomobject]@{ Bytes = [byte[]](1, 2, 3) }
    [pscustomobject]@{ Nested = @(1, @(2, 3)) }
    [pscustomobject]@{ List = [System.Collections.Generic.List[int]]::new() }
    [pscustomobject]@{ Jagged = [int[][]]::new(1) }
    [pscustomobject]@{ Objects = @([pscustomobject]@{ A = 1 }) }
)";

        private const string CliXmlCases = @"
# -Force: PowerShell shares one boxed 5 across the process, and another test may have noted it already.
$noted = 5 | Add-Member -NotePropertyName Extra -NotePropertyValue 1 -PassThru -Force
$typed = [pscustomobject]@{ A = 1 }
$typed.PSTypeNames.Insert(0, 'My.Type')
# A value renamed through its wrapper, with no note: only its type names tell it from a bare value.
$renamed = [psobject][long]987654321
$renamed.PSTypeNames.Insert(0, 'My.Number')
$global:cases = @(
    [pscustomobject]@{ A = 1; Nested = [pscustomobject]@{ B = 2 } }
    [pscustomobject]@{ A = 1 } | Select-Object A
    $typed
    [pscustomobject]@{ Noted = $noted }
    [pscustomobject]@{ Renamed = $renamed }
    [pscustomobject]@{ Surrogate = [string][char]0xD800 }
    [pscustomobject]@{ V = [version]'1.2.3'; H = @{ k = 1 } }
    ([pscustomobject]@{ A = 1 } | Add-Member -MemberType ScriptProperty -Name Twice -Value { $this.A * 2 } -PassThru)
    # Get-Date adds a DisplayHint note to the date it returns, which CliXml keeps.
    (Get-Date | ForEach-Object { [pscustomobject]@{ When = $_ } })
    # A name longer than the flat form's 16-bit length, and an array that is not one-dimensional.
    [pscustomobject]@{ ('n' * 70000) = 1 }
    [pscustomobject]@{ Grid = [int[,]]::new(2, 2) }
)";

        private static readonly Lazy<bool> PublicView = new Lazy<bool>(() => false);
        private static readonly Lazy<bool> Directly = new Lazy<bool>(() => true);

        public FlatObjectTests()
            : base("flat")
        {
        }

        [Theory]
        [InlineData(FlatCases, 2, PayloadKind.FlatObject)]
        [InlineData(CliXmlCases, 2, PayloadKind.CliXml)]
        [InlineData(ArrayCases, 2, PayloadKind.CliXml)]
        [InlineData("\n$global:cases = @([pscustomobject]@{ Tags = 'a', 'b' }, [pscustomobject]@{ I = [int[]](1) })", 1, PayloadKind.CliXml)] // at depth 1 CliXml keeps an array as its string
        public void Objects_read_back_as_CliXml_gives_them_and_only_plain_ones_take_the_flat_form(string cases, int depth, PayloadKind expected)
        {
            Run(Describe + cases + "; New-SharedMemory -Name $name -Size 2MB | Out-Null").AssertNoErrors();
            int count = (int)Run("$global:cases.Count").AssertNoErrors().Output.Single().BaseObject;
            Assert.True(count >= 2);
            for (int i = 0; i < count; i++)
            {
                var r = Run(
                    "$o = $global:cases[$i]; $o | Write-SharedMemory -Name $name -Depth $depth; Describe (Read-SharedMemory -Name $name); " +
                    "Describe ([System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($o, $depth)))",
                    ("i", i),
                    ("depth", depth)).AssertNoErrors();
                Assert.Equal(2, r.Output.Count);
                Assert.Equal(r.Output[1].BaseObject, r.Output[0].BaseObject);
                Assert.True(expected == StoredKind(), $"case {i} was not stored as {expected}:\n{r.Output[1].BaseObject}");
            }
        }

        [Fact]
        public void Random_plain_objects_read_back_as_a_PSSerializer_round_trip_gives_them()
        {
            Gen<string> text = Gen.Char.Where(c => !char.IsSurrogate(c)).Array[0, 12].Select(chars => new string(chars));
            Gen<object?> scalar = Gen.OneOf<object?>(
                Gen.Const(0).Select(_ => (object?)null), text.Select(v => (object?)v), Gen.Bool.Select(v => (object?)v), Gen.Char.Select(v => (object?)v),
                Gen.SByte.Select(v => (object?)v), Gen.Byte.Select(v => (object?)v), Gen.Short.Select(v => (object?)v), Gen.UShort.Select(v => (object?)v),
                Gen.Int.Select(v => (object?)v), Gen.UInt.Select(v => (object?)v), Gen.Long.Select(v => (object?)v), Gen.ULong.Select(v => (object?)v),
                Gen.Float.Select(v => (object?)v), Gen.Double.Select(v => (object?)v), Gen.Decimal.Select(v => (object?)v),
                Gen.Long[DateTime.MinValue.Ticks + TimeSpan.TicksPerDay, DateTime.MaxValue.Ticks - TimeSpan.TicksPerDay].Select(Gen.Int[0, 2], (t, k) => (object?)new DateTime(t, (DateTimeKind)k)),
                Gen.Long.Select(v => (object?)new TimeSpan(v)), Gen.Guid.Select(v => (object?)v));
            Gen<object?> value = Gen.Frequency(
                (8, scalar),
                (1, scalar.Array[0, 5].Select(items => (object?)items)),
                (1, Gen.Int.Array[0, 5].Select(items => (object?)items)),
                (1, text.Array[0, 5].Select(items => (object?)items)));
            Gen<PSObject> objects = value.Array[0, 8].Select(values =>
            {
                var o = new PSObject();
                for (int i = 0; i < values.Length; i++) o.Properties.Add(new PSNoteProperty("p" + i + (i % 2 == 0 ? "ä" : "X"), values[i]));
                return o;
            });

            objects.Sample(o =>
            {
                byte[]? flat = FlatObjectCodec.TryEncode(o, 2, PublicView);
                Assert.NotNull(flat);
                Assert.Equal(flat, FlatObjectCodec.TryEncode(o, 2, Directly));
                string clixml = DescribeDeserialized(PSSerializer.Deserialize(PSSerializer.Serialize(o, 2)));
                Assert.Equal(clixml, DescribeDeserialized(FlatObjectCodec.Decode(flat!)));
            }, iter: 500);
        }

        [Fact]
        public void Objects_read_back_each_own_their_type_names_as_deserialized_ones_do()
        {
            // The type names are given as the deserializer gives them, in a collection of each object's own: a
            // script that renames one object read back, or its array, must not rename the others.
            var r = Run(@"
                $q = New-SharedMemory -Name $name -Queue -Size 64KB
                $original = 1..2 | ForEach-Object { [pscustomobject]@{ Id = $_; Tags = 'a', 'b' } }
                $original | Write-SharedMemory -Handle $q
                $first, $second = Read-SharedMemory -Handle $q -Wait
                $first.PSTypeNames.Insert(0, 'My.Renamed')
                $first.Tags.PSTypeNames.Insert(0, 'My.RenamedTags')
                ($first.PSTypeNames -join ',')
                ($second.PSTypeNames -join ',')
                ($second.Tags.PSTypeNames -join ',')
                $viaCliXml = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($original[1]))
                ($viaCliXml.Tags.PSTypeNames -join ',')").AssertNoErrors();
            Assert.Equal("My.Renamed,Deserialized.System.Management.Automation.PSCustomObject,Deserialized.System.Object", r.Output[0].BaseObject);
            Assert.Equal("Deserialized.System.Management.Automation.PSCustomObject,Deserialized.System.Object", r.Output[1].BaseObject);
            Assert.Equal(r.Output[3].BaseObject, r.Output[2].BaseObject);
        }

        [Fact]
        public void Members_are_read_directly_on_this_engine()
        {
            // The direct read is what makes a plain object cheap to send; a probe that stopped passing on the
            // engine the module is built against would quietly make every object several times dearer.
            Assert.True(SerializerView.Enabled);
            Run("$null = New-SharedMemory -Name $name -Size 64KB").AssertNoErrors();
            Assert.True(FlatObjectCodec.CanReadMembersDirectly());
        }

        [Fact]
        public void Encoding_a_plain_object_allocates_little_beside_its_payload()
        {
            // A queue encodes every pipeline object on its own: a stream and a writer for each, an array for each
            // text and a copy of the object's member list took 1,096 bytes for this object's 85-byte payload.
            var o = (PSObject)Run("(1..2 | ForEach-Object { [pscustomobject]@{ Id = $_; Name = \"item$_\"; State = 'Queued'; When = [datetime]::UtcNow; Tags = 'a','b' } })[1]")
                .AssertNoErrors().Output.Single();
            int payload = FlatObjectCodec.TryEncode(o, 2, Directly)!.Length;
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1000; i++) FlatObjectCodec.TryEncode(o, 2, Directly);
            long perObject = (GC.GetAllocatedBytesForCurrentThread() - before) / 1000;
            Assert.True(perObject < payload + 160, $"{perObject} bytes allocated to encode a {payload}-byte payload");
        }

        [Fact]
        public void Looking_for_a_wrapped_values_own_members_leaves_nothing_behind()
        {
            // The engine's InstanceMembers getter gives every wrapped value an empty collection and an entry in a
            // weak table, 121 bytes each here; the lookup only looks (48 bytes each), and finds members added
            // through another wrapper.
            var values = Enumerable.Range(0, 1000).Select(i => PSObject.AsPSObject((object)(i + 100_000))).ToList();
            Assert.False(SerializerView.HasMembers(values[0]));
            long before = GC.GetAllocatedBytesForCurrentThread();
            bool any = false;
            foreach (PSObject value in values) any |= SerializerView.HasMembers(value);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.False(any);
            Assert.True(allocated < 64 * 1000, $"{allocated} bytes allocated looking at 1000 wrapped values");
            Assert.Empty(OwnPropertyNames(values[1]));

            object noted = 7_654_321;
            PSObject.AsPSObject(noted).Properties.Add(new PSNoteProperty("Note", 1));
            Assert.True(SerializerView.HasMembers(PSObject.AsPSObject(noted)));
            Assert.Equal("Note", Assert.Single(OwnPropertyNames(PSObject.AsPSObject(noted))));
        }

        private static List<string> OwnPropertyNames(PSObject obj)
        {
            var names = new List<string>();
            foreach (PSPropertyInfo property in SerializerView.Properties(obj)) names.Add(property.Name);
            return names;
        }

        [Theory]
        [InlineData(FlatCases, 2)]
        [InlineData(CliXmlCases, 2)]
        [InlineData(ArrayCases, 2)]
        [InlineData(FlatCases, 1)]
        public void Members_read_directly_give_the_payload_that_the_public_view_gives(string cases, int depth)
        {
            var objects = Run(cases + "; $global:cases").AssertNoErrors().Output;
            Assert.True(objects.Count >= 2);
            foreach (PSObject o in objects)
            {
                byte[]? viaPublicView = FlatObjectCodec.TryEncode(o, depth, PublicView);
                byte[]? direct = FlatObjectCodec.TryEncode(o, depth, Directly);
                Assert.Equal(viaPublicView, direct);
            }
        }

        [Fact]
        public void A_property_that_type_data_adds_to_every_custom_object_is_kept_as_CliXml_keeps_it()
        {
            // The object's own members are then not all that CliXml writes: such a call must take the public view,
            // also after calls on the same thread that read members directly, before the type data came.
            var r = Run(Describe + @"
                $q = New-SharedMemory -Name $name -Queue -Size 64KB
                $o = [pscustomobject]@{ Id = 1 }
                $o | Write-SharedMemory $q
                Describe (Read-SharedMemory $q)
                Update-TypeData -TypeName System.Management.Automation.PSCustomObject -MemberType NoteProperty -MemberName Site -Value 'north' -Force
                try {
                    $o | Write-SharedMemory $q
                    Describe (Read-SharedMemory $q)
                    Describe ([System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($o, 2)))
                } finally {
                    Remove-TypeData -TypeName System.Management.Automation.PSCustomObject
                }").AssertNoErrors();
            Assert.DoesNotContain("Site|", (string)r.Output[0].BaseObject);
            Assert.Contains("Site|", (string)r.Output[2].BaseObject);
            Assert.Equal(r.Output[2].BaseObject, r.Output[1].BaseObject);
        }

        [Theory]
        [InlineData("NoteProperty -MemberName Site -Value 'north'")]
        [InlineData("ScriptProperty -MemberName Twice -Value { $this * 2 }")]
        public void A_property_that_type_data_adds_to_a_wrapped_value_is_kept_as_CliXml_keeps_it(string member)
        {
            var r = Run(Describe + @"
                Update-TypeData -TypeName System.Int32 -MemberType " + member + @" -Force
                try {
                    $q = New-SharedMemory -Name $name -Queue -Size 64KB
                    $o = (1..2 | ForEach-Object { [pscustomobject]@{ Id = $_ } })[1]
                    $o | Write-SharedMemory $q
                    Describe (Read-SharedMemory $q)
                    Describe ([System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($o, 2)))
                } finally {
                    Remove-TypeData -TypeName System.Int32
                }").AssertNoErrors();
            Assert.Equal(r.Output[1].BaseObject, r.Output[0].BaseObject);
        }

        [Fact]
        public void Pipeline_objects_go_through_a_queue_in_the_flat_form_and_arrive_as_CliXml_would_give_them()
        {
            var r = Run(Describe + @"
                $q = New-SharedMemory -Name $name -Queue -Size 1MB
                1..50 | ForEach-Object { [pscustomobject]@{ Id = $_; Name = ""n$_""; When = [datetime]::new(2026, 1, 1).AddDays($_) } } | Write-SharedMemory $q
                $got = @(Read-SharedMemory $q -Wait -TimeoutSeconds 5)
                $got.Count
                Describe $got[49]
                Describe ([System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize([pscustomobject]@{ Id = 50; Name = 'n50'; When = [datetime]::new(2026, 1, 1).AddDays(50) }, 2)))").AssertNoErrors();
            Assert.Equal(50, r.Output[0].BaseObject);
            Assert.Equal(r.Output[2].BaseObject, r.Output[1].BaseObject);
        }

        [Fact]
        public void Every_truncation_and_damage_of_a_flat_payload_is_refused_as_InvalidData()
        {
            Run("New-SharedMemory -Name $name -Size 64KB | Out-Null; [pscustomobject]@{ Id = 1; Name = 'abc'; When = [datetime]::UtcNow; G = [guid]::NewGuid(); M = 1.5d } | Write-SharedMemory -Name $name").AssertNoErrors();
            byte[] good = StoredPayload();
            var damaged = new List<byte[]>();
            for (int length = 0; length < good.Length; length++) damaged.Add(good.Take(length).ToArray());
            damaged.Add(good.Concat(new byte[] { 0 }).ToArray());
            damaged.Add(Patched(good, 0, 2));                             // unknown format version
            damaged.Add(Patched(good, 1, 0xFF));                          // more properties than there are
            damaged.Add(Patched(good, 3, 0xFF));                          // a name running past the end
            damaged.Add(Patched(good, 7, 99));                            // unknown value type (after the name "Id")
            damaged.Add(Flat(("A", new byte[] { 2, 7 })));                // a boolean of 7
            damaged.Add(Flat(("A", new byte[] { 0 }), ("a", new byte[] { 0 }))); // the same name twice
            damaged.Add(Flat(("PSObject", new byte[] { 0 })));            // a name PowerShell keeps for its own member
            damaged.Add(Flat(("A", new byte[] { 1, 0xFF, 0xFF, 0xFF, 0x7F }))); // a string of 2 GiB
            damaged.Add(Flat(("A", new byte[] { 1, 2, 0, 0, 0, 0xC3, 0x28 }))); // invalid UTF-8
            damaged.Add(Flat(("A", new byte[] { 18, 8, 0xFF, 0xFF, 0xFF, 0x7F }))); // an array longer than the payload
            damaged.Add(Flat(("A", new byte[] { 18, 99, 0, 0, 0, 0 }))); // an unknown element type
            damaged.Add(Flat(("A", new byte[] { 18, 0, 1, 0, 0, 0, 18, 0, 0, 0, 0, 0 }))); // an array in an array
            damaged.Add(Flat(("A", new byte[] { 14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF }))); // decimal flags out of range

            foreach (byte[] payload in damaged)
            {
                StorePayload(payload);
                var r = Run("Read-SharedMemory -Name $name; 'still alive'");
                Assert.True(r.ErrorIds == "ReadSharedMemoryCorrupted,PSSharedMemory.Commands.ReadSharedMemoryCommand", $"accepted {Convert.ToHexString(payload)}");
                Assert.Equal(ErrorCategory.InvalidData, r.Errors[0].CategoryInfo.Category);
                Assert.Equal("still alive", r.Output.Single().BaseObject);
            }
        }

        private static string DescribeDeserialized(object deserialized)
        {
            var o = (PSObject)deserialized;
            var parts = new List<string> { string.Join(",", o.TypeNames), o.ImmediateBaseObject.GetType().FullName! };
            foreach (PSPropertyInfo p in o.Properties) parts.Add($"{p.Name}|{p.MemberType}|{p.TypeNameOfValue}|{DescribeValue(p.Value)}");
            return string.Join("\n", parts);
        }

        private static string DescribeValue(object? value) => value switch
        {
            null => "null",
            PSObject { ImmediateBaseObject: ArrayList list } wrapped => $"[{string.Join(",", wrapped.TypeNames)}]({string.Join("; ", list.Cast<object?>().Select(DescribeValue))})",
            PSObject wrapped => "wrapped " + DescribeValue(wrapped.ImmediateBaseObject),
            double d => "double " + BitConverter.DoubleToInt64Bits(d),
            float f => "single " + BitConverter.SingleToInt32Bits(f),
            DateTime t => $"datetime {t.Ticks} {t.Kind}",
            _ => value.GetType().FullName + " " + Convert.ToString(value, CultureInfo.InvariantCulture),
        };

        private static byte[] Patched(byte[] payload, int at, byte value)
        {
            var copy = (byte[])payload.Clone();
            copy[at] = value;
            return copy;
        }

        private static byte[] Flat(params (string Name, byte[] Value)[] properties)
        {
            var bytes = new List<byte> { 1 };
            bytes.AddRange(BitConverter.GetBytes((ushort)properties.Length));
            foreach (var (name, value) in properties)
            {
                byte[] utf8 = Encoding.UTF8.GetBytes(name);
                bytes.AddRange(BitConverter.GetBytes((ushort)utf8.Length));
                bytes.AddRange(utf8);
                bytes.AddRange(value);
            }

            return bytes.ToArray();
        }

        private PayloadKind StoredKind()
        {
            using var segment = SharedMemorySegment.Open(new SegmentOptions(SegmentName) { Mode = OpenMode.OpenExisting });
            using var locked = segment.Lock();
            return locked.ReadValue()!.Kind;
        }

        private byte[] StoredPayload()
        {
            using var segment = SharedMemorySegment.Open(new SegmentOptions(SegmentName) { Mode = OpenMode.OpenExisting });
            using var locked = segment.Lock();
            StoredValue value = locked.ReadValue()!;
            Assert.Equal(PayloadKind.FlatObject, value.Kind);
            return value.Payload;
        }

        private void StorePayload(byte[] payload)
        {
            using var segment = SharedMemorySegment.Open(new SegmentOptions(SegmentName) { Mode = OpenMode.OpenExisting });
            using var locked = segment.Lock();
            locked.WriteValue(PayloadKind.FlatObject, payload);
        }
    }
}
