using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using PSSharedMemory.Tests.Infrastructure;
using Xunit;

namespace PSSharedMemory.Tests
{
    public sealed class WriteReadSharedMemoryTests : SegmentTest
    {
        private const string WriteId = ",PSSharedMemory.Commands.WriteSharedMemoryCommand";
        private const string ReadId = ",PSSharedMemory.Commands.ReadSharedMemoryCommand";

        public WriteReadSharedMemoryTests()
            : base("rw")
        {
        }

        [Fact]
        public void A_handle_flows_through_the_pipeline_from_New_to_Write_to_Read()
        {
            var r = Run("New-SharedMemory -Name $name -Size 4096 | Write-SharedMemory -InputObject 'hello' -PassThru | Read-SharedMemory").AssertNoErrors();
            Assert.Equal("hello", r.Single);
        }

        [Fact]
        public void Strings_are_stored_as_UTF8_text_and_bytes_as_bytes()
        {
            Run("$h = New-SharedMemory -Name $name -Size 4096; Write-SharedMemory -Handle $h -InputObject 'grüße ☃'").AssertNoErrors();
            Assert.Equal("grüße ☃", Run("Read-SharedMemory -Name $name").AssertNoErrors().Single);
            byte[] data = File.ReadAllBytes(Names.ShmPath(SegmentName));
            string stored = System.Text.Encoding.UTF8.GetString(data);
            Assert.Contains("grüße ☃", stored, System.StringComparison.Ordinal);

            var bytes = new byte[] { 0, 1, 2, 255 };
            Run("Write-SharedMemory -Name $name -InputObject $b", ("b", bytes)).AssertNoErrors();
            var back = Run("Read-SharedMemory -Name $name").AssertNoErrors();
            Assert.Equal(bytes, Assert.IsType<byte[]>(back.Single));
        }

        [Fact]
        public void A_string_with_a_lone_surrogate_round_trips_exactly()
        {
            var r = Run("$s = 'a' + [char]0xD800 + 'b'; New-SharedMemory -Name $name -Size 4096 | Write-SharedMemory -InputObject $s -PassThru | Read-SharedMemory | ForEach-Object { $_ -ceq $s }").AssertNoErrors();
            Assert.Equal(true, r.Single);
        }

        [Fact]
        public void Objects_keep_their_properties_and_types_as_with_Export_Clixml()
        {
            Run("New-SharedMemory -Name $name -Size 65536 | Out-Null").AssertNoErrors();
            Run("[pscustomobject]@{ Id = 42; Name = 'job'; When = [datetime]'2026-01-02T03:04:05'; Tags = @('a','b') } | Write-SharedMemory -Name $name").AssertNoErrors();
            var o = (PSObject)Run("Read-SharedMemory -Name $name").AssertNoErrors().Output[0];
            Assert.Equal(42, o.Properties["Id"].Value);
            Assert.Equal("job", o.Properties["Name"].Value);
            Assert.Equal(new System.DateTime(2026, 1, 2, 3, 4, 5), o.Properties["When"].Value);

            var ht = Run("Write-SharedMemory -Name $name -InputObject @{ a = 1 }; (Read-SharedMemory -Name $name).a").AssertNoErrors();
            Assert.Equal(1, ht.Single);
        }

        [Fact]
        public void Pipeline_input_is_collected_into_one_value_and_emitted_item_by_item()
        {
            Run("New-SharedMemory -Name $name -Size 65536 | Out-Null").AssertNoErrors();
            Run("1..5 | Write-SharedMemory -Name $name").AssertNoErrors();
            var r = Run("Read-SharedMemory -Name $name | ForEach-Object { $_ * 10 }").AssertNoErrors();
            Assert.Equal(new object[] { 10, 20, 30, 40, 50 }, r.Output.Select(o => o.BaseObject));

            Run("'one','two' | Write-SharedMemory -Name $name").AssertNoErrors();
            Assert.Equal(new object[] { "one", "two" }, Run("Read-SharedMemory -Name $name").Output.Select(o => o.BaseObject));
        }

        [Fact]
        public void Pipeline_input_to_an_explicit_handle_is_one_value()
        {
            var r = Run("$h = New-SharedMemory -Name $name -Size 4096; 'a','b','c' | Write-SharedMemory -Handle $h; (Read-SharedMemory $h) -join ','").AssertNoErrors();
            Assert.Equal("a,b,c", r.Single);
        }

        [Fact]
        public void Depth_controls_how_deep_objects_are_kept()
        {
            var r = Run(@"
                $h = New-SharedMemory -Name $name -Size 1MB
                $o = [IO.DirectoryInfo]'/usr/lib'
                Write-SharedMemory $h -InputObject $o -Depth 1; (Read-SharedMemory $h).Parent -is [string]
                Write-SharedMemory $h -InputObject $o -Depth 2; (Read-SharedMemory $h).Parent.Name").AssertNoErrors();
            Assert.Equal(new object[] { true, "usr" }, r.Output.Select(o => o.BaseObject));
        }

        [Fact]
        public void Names_with_a_scope_reach_the_same_segment_on_Unix()
        {
            var r = Run("New-SharedMemory -Name $name -Size 256 | Out-Null; Write-SharedMemory -Name \"Local\\$name\" -InputObject 'scoped'; Read-SharedMemory -Name $name -Scope Global").AssertNoErrors();
            Assert.Equal("scoped", r.Single);
        }

        [Fact]
        public void Every_write_bumps_the_version()
        {
            var r = Run("$h = New-SharedMemory -Name $name -Size 4096; $h.Version; Write-SharedMemory $h -InputObject 1; $h.Version; Write-SharedMemory $h -Bytes 1,2 -Offset 10; $h.Version").AssertNoErrors();
            Assert.Equal(new object[] { 0UL, 1UL, 2UL }, r.Output.Select(o => o.BaseObject));
        }

        [Fact]
        public void Raw_bytes_are_written_and_read_at_an_offset()
        {
            var r = Run("$h = New-SharedMemory -Name $name -Size 100; Write-SharedMemory -Handle $h -Bytes ([byte[]](7,8,9)) -Offset 97; Read-SharedMemory -Handle $h -Offset 96 -Count 4").AssertNoErrors();
            Assert.Equal(new byte[] { 0, 7, 8, 9 }, Assert.IsType<byte[]>(r.Single));
            var byName = Run("Read-SharedMemory -Name $name -Offset 97 -Count 3").AssertNoErrors();
            Assert.Equal(new byte[] { 7, 8, 9 }, byName.Single);
            var empty = Run("Read-SharedMemory -Name $name -Offset 100 -Count 0").AssertNoErrors();
            Assert.Empty(Assert.IsType<byte[]>(empty.Single));
        }

        [Theory]
        [InlineData("-Offset 98", "Write")]
        [InlineData("-Offset -1", "Write")]
        [InlineData("-Offset 101", "Write")]
        [InlineData("-Offset 0 -Count 101", "Read")]
        [InlineData("-Offset 99 -Count 2", "Read")]
        [InlineData("-Offset -5 -Count 1", "Read")]
        [InlineData("-Offset 0 -Count -1", "Read")]
        [InlineData("-Offset ([long]::MaxValue) -Count 2", "Read")]
        public void Offsets_and_counts_outside_the_data_area_are_refused_and_change_nothing(string range, string verb)
        {
            Run("$h = New-SharedMemory -Name $name -Size 100; Write-SharedMemory $h -Bytes (1..100 | % { [byte]$_ })").AssertNoErrors();
            string script = verb == "Write" ? $"Write-SharedMemory -Name $name -Bytes 9,9,9 {range}" : $"Read-SharedMemory -Name $name {range}";
            var r = Run(script);
            Assert.Equal($"{verb}SharedMemoryOutOfRange" + (verb == "Write" ? WriteId : ReadId), r.ErrorIds);
            Assert.Equal(ErrorCategory.InvalidArgument, r.Errors[0].CategoryInfo.Category);
            Assert.Empty(r.Output);
            var all = (byte[])Run("Read-SharedMemory -Name $name -Count 100").AssertNoErrors().Single!;
            Assert.Equal(Enumerable.Range(1, 100).Select(i => (byte)i), all);
        }

        [Fact]
        public void A_value_larger_than_half_the_capacity_is_refused_at_every_write_and_the_old_value_stays()
        {
            Run("$h = New-SharedMemory -Name $name -Size 1000; Write-SharedMemory $h -InputObject 'old'").AssertNoErrors();
            var r = Run("Write-SharedMemory -Name $name -InputObject ([byte[]]::new(1001))");
            Assert.Equal("WriteSharedMemoryValueTooLarge" + WriteId, r.ErrorIds);
            Assert.Equal(ErrorCategory.LimitsExceeded, r.Errors[0].CategoryInfo.Category);
            Assert.Equal("old", Run("Read-SharedMemory -Name $name").AssertNoErrors().Single);

            // The previous value is kept intact until the new one is complete, so every value is held to half
            // the area: then any value of that size fits beside any other, whatever was written before.
            Assert.Equal(500L, Run("(Get-SharedMemory -Name $name).MaxValueBytes").AssertNoErrors().Single);
            Assert.Equal("WriteSharedMemoryValueTooLarge" + WriteId, Run("Write-SharedMemory -Name $name -InputObject ([byte[]]::new(501))").ErrorIds);
            Assert.Equal("old", Run("Read-SharedMemory -Name $name").AssertNoErrors().Single);
            foreach (int size in new[] { 500, 500, 1, 500, 499, 500 })
            {
                Run($"Write-SharedMemory -Name $name -InputObject ([byte[]]::new({size}))").AssertNoErrors();
                Assert.Equal(size, ((byte[])Run("Read-SharedMemory -Name $name").Single!).Length);
            }
        }

        [Fact]
        public void A_current_value_larger_than_half_written_before_the_rule_is_reported_not_overwritten()
        {
            // A segment whose current value takes 600 of its 1000 bytes, at the end, as earlier versions placed
            // it: the payload and the second descriptor written through a raw view, per docs/layout.md.
            Run("New-SharedMemory -Name $name -Size 1000 -Checksum Crc32 | Out-Null").AssertNoErrors();
            var payload = new byte[600];
            for (int i = 0; i < payload.Length; i++) payload[i] = (byte)(i * 7);
            var descriptor = new byte[32];
            System.BitConverter.GetBytes(400UL).CopyTo(descriptor, 0); // offset in the data area
            System.BitConverter.GetBytes(600UL).CopyTo(descriptor, 8); // length
            System.BitConverter.GetBytes(1u).CopyTo(descriptor, 16); // kind: bytes
            System.BitConverter.GetBytes(System.IO.Hashing.Crc32.HashToUInt32(payload)).CopyTo(descriptor, 20);
            System.BitConverter.GetBytes(1UL).CopyTo(descriptor, 24); // version
            using (var raw = SharedMemorySegment.Open(new SegmentOptions(SegmentName) { Mode = OpenMode.OpenExisting, Format = SegmentFormat.Raw }))
            using (var locked = raw.Lock())
            {
                locked.WriteBytes(128 + 400, payload);
                locked.WriteBytes(32 + 32, descriptor); // descriptor 1
                locked.WriteBytes(28, System.BitConverter.GetBytes(1u)); // the active index: the commit
            }

            Assert.Equal(600, ((byte[])Run("Read-SharedMemory -Name $name").AssertNoErrors().Single!).Length);
            var r = Run("Write-SharedMemory -Name $name -InputObject ([byte[]]::new(450))");
            Assert.Equal("WriteSharedMemoryValueTooLarge" + WriteId, r.ErrorIds);
            Assert.Contains("beside its current value", r.Errors[0].Exception.Message, System.StringComparison.Ordinal);
            Assert.Equal(600, ((byte[])Run("Read-SharedMemory -Name $name").Single!).Length);
        }

        [Fact]
        public void Values_alternate_ends_so_every_size_up_to_the_free_space_round_trips()
        {
            Run("New-SharedMemory -Name $name -Size 4096 | Out-Null").AssertNoErrors();
            var r = Run(@"
                $ok = 0
                foreach ($size in 0, 1, 7, 2048, 100, 2000, 2047, 1, 2048, 0, 2048) {
                    $data = [byte[]]::new($size); for ($i = 0; $i -lt $size; $i++) { $data[$i] = ($i * 7 + $size) % 251 }
                    Write-SharedMemory -Name $name -InputObject $data
                    $back = Read-SharedMemory -Name $name
                    if ([Convert]::ToBase64String($back) -eq [Convert]::ToBase64String($data)) { $ok++ }
                }
                $ok").AssertNoErrors();
            Assert.Equal(11, r.Single);
        }

        [Fact]
        public void Reading_a_segment_with_no_value_emits_nothing()
        {
            var r = Run("New-SharedMemory -Name $name -Size 64 | Read-SharedMemory").AssertNoErrors();
            Assert.Empty(r.Output);
        }

        [Fact]
        public void Value_operations_on_a_raw_segment_are_refused()
        {
            Run("New-SharedMemory -Name $name -Size 64 -Raw | Out-Null").AssertNoErrors();
            Assert.Equal("ReadSharedMemoryNotAValueSegment" + ReadId, Run("Read-SharedMemory -Name $name").ErrorIds);
            Assert.Equal("WriteSharedMemoryNotAValueSegment" + WriteId, Run("Write-SharedMemory -Name $name -InputObject 1").ErrorIds);
        }

        [Fact]
        public void Writing_with_no_input_is_an_error()
        {
            var r = Run("New-SharedMemory -Name $name -Size 64 | Write-SharedMemory");
            Assert.Equal("WriteSharedMemoryNoInput" + WriteId, r.ErrorIds);
        }

        [Fact]
        public void A_missingSegmentName_is_ObjectNotFound()
        {
            var r = Run("Read-SharedMemory -Name $name");
            Assert.Equal("ReadSharedMemoryNotFound" + ReadId, r.ErrorIds);
            Assert.Equal(ErrorCategory.ObjectNotFound, r.Errors[0].CategoryInfo.Category);
            Assert.Equal(SegmentName, r.Errors[0].TargetObject);
        }

        [Theory]
        [InlineData(0, "AAAAAA==")]  // magic destroyed
        [InlineData(4, "CQA=")]      // layout version 9
        [InlineData(8, "//////////8=")] // capacity beyond the mapping
        [InlineData(28, "BwAAAA==")] // active descriptor index 7
        [InlineData(40, "/////wAAAAA=")] // value length beyond the capacity
        [InlineData(48, "CQAAAA==")] // payload kind 9
        [InlineData(52, "AQIDBA==")] // checksum wrong
        [InlineData(200, "AAAAAA==")] // payload bytes changed under the checksum
        public void A_corrupted_header_or_value_is_InvalidData_never_a_crash(int offset, string base64)
        {
            Run("$h = New-SharedMemory -Name $name -Size 256; Write-SharedMemory $h -InputObject 'first'; Write-SharedMemory $h -InputObject 'second value'").AssertNoErrors();
            byte[] patch = System.Convert.FromBase64String(base64);
            byte[] before = File.ReadAllBytes(Names.ShmPath(SegmentName));
            int active = System.BitConverter.ToInt32(before, 28);
            long valueOffset = System.BitConverter.ToInt64(before, 32 + (active * 32));
            long target = offset switch
            {
                40 or 48 or 52 => 32 + (active * 32) + (offset - 32), // fields of the active descriptor
                200 => 128 + valueOffset + 2,                       // inside the stored payload
                _ => offset,
            };
            using (var f = new FileStream(Names.ShmPath(SegmentName), FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
            {
                f.Position = target;
                f.Write(patch);
            }

            var r = Run("Read-SharedMemory -Name $name");
            Assert.Single(r.Errors);
            Assert.Matches("^ReadSharedMemory(Corrupted|NotAValueSegment),", r.ErrorIds);
            Assert.Empty(r.Output);
        }

        [Fact]
        public void A_text_value_that_is_not_UTF8_is_InvalidData()
        {
            Run("$h = New-SharedMemory -Name $name -Size 256 -Checksum Crc32; Write-SharedMemory $h -InputObject 'abcd'").AssertNoErrors();
            byte[] all = File.ReadAllBytes(Names.ShmPath(SegmentName));
            int active = System.BitConverter.ToInt32(all, 28);
            long offset = System.BitConverter.ToInt64(all, 32 + (active * 32));
            using (var f = new FileStream(Names.ShmPath(SegmentName), FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite))
            {
                f.Position = 128 + offset;
                f.Write(new byte[] { 0xFF, 0xFE, 0xFD, 0xFC });
                // Keep the checksum consistent, as a buggy peer would, so that only the text is wrong.
                f.Position = 32 + (active * 32) + 20;
                f.Write(System.BitConverter.GetBytes(System.IO.Hashing.Crc32.HashToUInt32(new byte[] { 0xFF, 0xFE, 0xFD, 0xFC })));
            }

            var r = Run("Read-SharedMemory -Name $name");
            Assert.Equal("ReadSharedMemoryCorrupted" + ReadId, r.ErrorIds);
            Assert.Equal(ErrorCategory.InvalidData, r.Errors[0].CategoryInfo.Category);
        }

        [Fact]
        public void WhatIf_changes_nothing_for_values_raw_bytes_messages_and_updates()
        {
            var r = Run(@"$h = New-SharedMemory -Name $name -Size 256; Write-SharedMemory $h -InputObject 'old'
                Write-SharedMemory $h -InputObject 'new' -WhatIf
                Write-SharedMemory $h -Bytes ([byte[]](1,2)) -Offset 200 -WhatIf
                Update-SharedMemory $h -ScriptBlock { 'updated' } -WhatIf
                Read-SharedMemory $h; $h.Version; (Read-SharedMemory $h -Offset 200 -Count 2) -join ','
                $q = New-SharedMemory -Name ($name + '2') -Size 4096 -Queue
                'a', 'b' | Write-SharedMemory -Handle $q -WhatIf; $q.MessageCount").AssertNoErrors();
            Assert.Equal(new object[] { "old", 1UL, "0,0", 0L }, r.Output.Select(o => o.BaseObject));
        }

        [Fact]
        public void Verbose_messages_follow_the_verbose_preference_as_well_as_the_switch()
        {
            var r = Run("$h = New-SharedMemory -Name $name -Queue -Size 4096; $VerbosePreference = 'Continue'; 'a', 'b' | Write-SharedMemory $h -NoEnd; $VerbosePreference = 'SilentlyContinue'; 'c' | Write-SharedMemory $h -NoEnd; 'd' | Write-SharedMemory $h -NoEnd -Debug; 'e' | Write-SharedMemory $h -Verbose; Read-SharedMemory $h -Wait -TimeoutSeconds 5").AssertNoErrors();
            Assert.Equal(new object[] { "a", "b", "c", "d", "e" }, r.Output.Select(o => o.BaseObject));
            Assert.Equal(4, r.Verbose.Count(v => v.StartsWith("Enqueued 1 bytes", System.StringComparison.Ordinal)));
            // ShouldProcess writes the change it lets go ahead under -Verbose (not for the preference alone), so there it is still called.
            Assert.Equal(1, r.Verbose.Count(v => v.StartsWith("Add a message of 1 bytes (Utf8Text) to queue", System.StringComparison.Ordinal)));
        }

        [Fact]
        public void The_WhatIf_preference_stops_every_message_of_a_queue_as_the_switch_does()
        {
            var r = Run("$q = New-SharedMemory -Name $name -Size 4096 -Queue; $WhatIfPreference = $true; 'a', 'b' | Write-SharedMemory -Handle $q; $WhatIfPreference = $false; 'c' | Write-SharedMemory -Handle $q -WhatIf:$false -NoEnd; $q.MessageCount").AssertNoErrors();
            Assert.Equal(1L, r.Output.Single().BaseObject);
        }

        [Fact]
        public void Verbose_reports_bytes_and_version()
        {
            var r = Run("$h = New-SharedMemory -Name $name -Size 256; Write-SharedMemory $h -InputObject 'abc' -Verbose; Read-SharedMemory $h -Verbose | Out-Null").AssertNoErrors();
            Assert.Contains(r.Verbose, v => v.Contains("Wrote 3 bytes (Utf8Text)", System.StringComparison.Ordinal) && v.Contains("version is now 1", System.StringComparison.Ordinal));
            Assert.Contains(r.Verbose, v => v.Contains("Read 3 bytes (Utf8Text)", System.StringComparison.Ordinal));
        }
    }
}
