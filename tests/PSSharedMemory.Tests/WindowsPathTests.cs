using System;
using System.Linq;
using PSSharedMemory.Tests.Infrastructure;
using Xunit;

namespace PSSharedMemory.Tests
{
    /// <summary>
    /// The Windows code path, run for real under Wine: named file mappings, named mutexes <c>&lt;name&gt;_Mutex</c>,
    /// WAIT_ABANDONED, and a Win32 program written after the seed on the other side. The win-x64 host has only
    /// the engine's core cmdlets, so these scripts use .NET calls where pwsh would use Start-Sleep or Join-Path.
    /// </summary>
    [Collection(WineCollection.Name)]
    [Trait("Suite", "Windows")]
    public sealed class WindowsPathTests
    {
        private readonly Wine _wine;
        private readonly string _name = Names.Unique("win");

        public WindowsPathTests(Wine wine)
        {
            _wine = wine;
        }

        [SkippableFact]
        public void Segments_names_values_raw_bytes_and_bad_inputs_on_the_Windows_path()
        {
            _wine.SkipIfMissing();
            using var host = _wine.RunHost($@"
                $n = '{_name}'
                function Id([scriptblock] $Block) {{ try {{ & $Block; 'no error' }} catch {{ $_.FullyQualifiedErrorId.Split(',')[0] }} }}
                $IsWindows
                $h = New-SharedMemory -Name $n -Size 4096; $h.Created; $h.Path; $h.Size
                (New-SharedMemory -Name ""Local\$n"").Created
                $g = New-SharedMemory -Name ""Global\$n"" -Size 64; $g.Created; $g.Path
                Write-SharedMemory $h -InputObject ([pscustomobject]@{{ A = 41 }}); (Read-SharedMemory $h).A + 1
                $r = New-SharedMemory -Name ""r_$n"" -Size 64 -Raw; $r.Size
                Write-SharedMemory $r -Bytes 1,2,3 -Offset 61; (Read-SharedMemory $r -Offset 60 -Count 4) -join ','
                $h.Version
                Id {{ New-SharedMemory -Name $n -Size 64 -CreateNew -ErrorAction Stop }}
                Id {{ New-SharedMemory -Name ""missing_$n"" -OpenExisting -ErrorAction Stop }}
                Id {{ New-SharedMemory -Name ""missing_$n"" -ErrorAction Stop }}
                Id {{ New-SharedMemory -Name 'a/b' -Size 64 -ErrorAction Stop }}
                Id {{ New-SharedMemory -Name ('x' * 300) -Size 64 -ErrorAction Stop }}
                Id {{ New-SharedMemory -Name ""z_$n"" -Size 0 -ErrorAction Stop }}
                Id {{ New-SharedMemory -Name $n -Size 99999 -ErrorAction Stop }}
                Id {{ Write-SharedMemory $r -Bytes 1,2 -Offset 63 -ErrorAction Stop }}
                Id {{ Read-SharedMemory $h -Offset -1 -Count 1 -ErrorAction Stop }}
                Id {{ Write-SharedMemory $h -InputObject ([byte[]]::new(5000)) -ErrorAction Stop }}
                (Read-SharedMemory $h).A
                $c = New-SharedMemory -Name ""c_$n"" -Size 64; $c.Dispose(); Id {{ Read-SharedMemory $c -ErrorAction Stop }}
                Id {{ Read-SharedMemory $r -ErrorAction Stop }}
                (Get-SharedMemory).Count
                @(Get-SharedMemory -ListAvailable).Count
                $e = New-SharedMemory -Name ""e_$n"" -Size 64 -Access Everyone; $e.Created
                Id {{ New-SharedMemory -Name ""g_$n"" -Size 64 -Access Group -ErrorAction Stop }}
                (New-SharedMemory -Name ""k_$n"" -Size 64).Created; (New-SharedMemory -Name ""K_$n"".ToUpperInvariant() -Size 64).Created");
            Assert.True(host.ExitCode == 0, host.Stderr);
            Assert.Equal(new[]
            {
                "True", "True", $"Local\\{_name}", "4096", "False", "True", $"Global\\{_name}", "42", "64", "0,1,2,3", "1",
                "NewSharedMemoryAlreadyExists", "NewSharedMemoryNotFound", "NewSharedMemorySizeRequired", "NewSharedMemoryNameInvalid",
                "NewSharedMemoryNameInvalid", "NewSharedMemorySizeInvalid", "NewSharedMemorySizeExceedsExisting", "WriteSharedMemoryOutOfRange",
                "ReadSharedMemoryOutOfRange", "WriteSharedMemoryValueTooLarge", "41", "ReadSharedMemoryHandleClosed", "ReadSharedMemoryNotAValueSegment",
                "4", "0", "True", "NewSharedMemoryAccessNotSupported", "True", "True",
            }, host.OutputLines);
        }

        [SkippableFact]
        public void Two_Windows_processes_count_exactly_with_Update()
        {
            _wine.SkipIfMissing();
            const int PerProcess = 300;
            // Each keeps its handle until both are done: on Windows a mapping lives only while a handle is open.
            string script = $@"
                $h = New-SharedMemory -Name '{_name}' -Size 4096
                1..{PerProcess} | ForEach-Object {{ Update-SharedMemory $h {{ if ($null -eq $_) {{ 1 }} else {{ $_ + 1 }} }} }}
                $deadline = [datetime]::UtcNow.AddMinutes(2)
                while ((Read-SharedMemory $h) -lt {2 * PerProcess} -and [datetime]::UtcNow -lt $deadline) {{ [Threading.Thread]::Sleep(50) }}
                Read-SharedMemory $h";
            using var a = _wine.Host(script);
            using var b = _wine.Host(script);
            a.WaitForExit(ChildProcess.DefaultTimeout);
            b.WaitForExit(ChildProcess.DefaultTimeout);
            Assert.True(a.ExitCode == 0, a.Stderr);
            Assert.True(b.ExitCode == 0, b.Stderr);
            Assert.Equal((2 * PerProcess).ToString(System.Globalization.CultureInfo.InvariantCulture), a.OutputLines.Last());
            Assert.Equal((2 * PerProcess).ToString(System.Globalization.CultureInfo.InvariantCulture), b.OutputLines.Last());
        }

        [SkippableFact]
        public void A_queue_pipes_messages_between_two_Windows_processes_and_wait_wakes_by_polling()
        {
            _wine.SkipIfMissing();
            using var consumer = QueueConsumer("64KB", $@"
                $n = 0; $bad = 0
                Read-SharedMemory $q -Wait -TimeoutSeconds 60 | ForEach-Object {{ $n++; if ($_ -ne ""item $n"") {{ $bad++ }} }}
                ""$n $bad""");
            Assert.Equal("500 0", ConsumedWhile(consumer, $"1..500 | ForEach-Object {{ \"item $_\" }} | Write-SharedMemory -Name '{_name}'"));
        }

        [SkippableFact]
        public void Objects_go_between_two_Windows_processes_with_their_types_and_members_read_directly()
        {
            _wine.SkipIfMissing();
            // The Windows engine passes the probe of the direct member read too (FlatObjectTests checks its bytes).
            using var consumer = QueueConsumer("1MB", $@"
                $n = 0; $bad = 0
                Read-SharedMemory $q -Wait -TimeoutSeconds 60 | ForEach-Object {{
                    $n++
                    if ($_.Id -ne $n -or $_.Id -isnot [int] -or $_.Name -ne ""item $n"" -or $_.When -isnot [datetime] -or $_.Tags.Count -ne 2) {{ $bad++ }}
                    if ($_.psobject.TypeNames[0] -ne 'Deserialized.System.Management.Automation.PSCustomObject') {{ $bad++ }}
                }}
                $direct = [PSSharedMemory.SharedMemorySegment].Assembly.GetType('PSSharedMemory.Serialization.SerializerView').GetProperty('Enabled').GetValue($null)
                ""$n $bad $direct""");
            Assert.Equal("300 0 True", ConsumedWhile(consumer, $"1..300 | ForEach-Object {{ [pscustomobject]@{{ Id = $_; Name = \"item $_\"; When = [datetime]::UtcNow; Tags = 'a', 'b' }} }} | Write-SharedMemory -Name '{_name}'"));
        }

        [SkippableFact]
        public void A_consumer_takes_long_messages_without_the_lock_while_a_Windows_producer_writes_them()
        {
            _wine.SkipIfMissing();
            // The consumer calls the core directly (the queue's operations are static methods of SegmentQueueOperations): taking
            // into a buffer follows a long message as it is written.
            using var consumer = QueueConsumer("2MB", $@"
                $buffer = [byte[]]::new(1MB); $kind = [PSSharedMemory.PayloadKind]::None
                $got = 0; $bad = 0; $clock = [Diagnostics.Stopwatch]::StartNew()
                while ($got -lt 12 -and $clock.Elapsed.TotalSeconds -lt 60) {{
                    $length = [PSSharedMemory.SegmentQueueOperations]::TryDequeue($q, $buffer, 0, [ref] $kind)
                    if ($length -lt 0) {{ continue }}
                    $got++
                    if ($length -ne 300KB + $got -or $kind -ne 'Bytes') {{ $bad++; continue }}
                    for ($i = 0; $i -lt $length; $i += 4099) {{ if ($buffer[$i] -ne $got) {{ $bad++; break }} }}
                    if ($buffer[$length - 1] -ne $got) {{ $bad++ }}
                }}
                ""$got $bad""");
            Assert.Equal("12 0", ConsumedWhile(consumer, $@"
                $q = New-SharedMemory -Name '{_name}' -OpenExisting
                foreach ($n in 1..12) {{
                    # Each message filled with its own number: a message mixed from two would show two.
                    $b = [byte[]]::new(300KB + $n); [Array]::Fill($b, [byte] $n)
                    Write-SharedMemory $q -InputObject $b -NoEnd
                }}"));
        }

        /// <summary>A Windows host that makes the queue, says "ready", then runs <paramref name="script"/> on it as $q.</summary>
        private ChildProcess QueueConsumer(string size, string script) =>
            _wine.Host($"$q = New-SharedMemory -Name '{_name}' -Size {size} -Queue\n[Console]::Out.WriteLine('ready'); [Console]::Out.Flush()\n" + script);

        /// <summary>Once the consumer host says "ready", runs the producer script in another host; the consumer's last line.</summary>
        private string ConsumedWhile(ChildProcess consumer, string producerScript)
        {
            consumer.WaitForOutput("ready");
            using var producer = _wine.RunHost(producerScript);
            Assert.True(producer.ExitCode == 0, producer.Stderr);
            consumer.WaitForExit(ChildProcess.DefaultTimeout);
            Assert.True(consumer.ExitCode == 0, consumer.Stderr);
            return consumer.OutputLines.Last();
        }

        [SkippableFact]
        public void The_seed_style_peer_writes_and_the_cmdlets_read()
        {
            _wine.SkipIfMissing();
            using var peer = _wine.Peer(_name, "4096", "write", "100", "cafebabe", "60000");
            peer.WaitForOutput("written");
            using var host = _wine.RunHost($"$s = New-SharedMemory -Name '{_name}' -Raw -OpenExisting; $s.Created; $s.Size; (Read-SharedMemory $s -Offset 99 -Count 6) -join ','");
            Assert.True(host.ExitCode == 0, host.Stderr);
            Assert.Equal(new[] { "False", "4096", "0,202,254,186,190,0" }, host.OutputLines);
            Assert.Equal("created", peer.OutputLines[0]);
        }

        [SkippableFact]
        public void The_cmdlets_write_and_the_seed_style_peer_reads()
        {
            _wine.SkipIfMissing();
            using var host = _wine.RunHost($@"
                $s = New-SharedMemory -Name '{_name}' -Size 4096 -Raw
                Write-SharedMemory $s -Bytes 0xDE,0xAD -Offset 4000
                & '{_wine.PeerWindowsPath}' '{_name}' 4096 read 3999 4");
            Assert.True(host.ExitCode == 0, host.Stderr);
            Assert.Equal(new[] { "opened", "00dead00" }, host.OutputLines);
        }

        [SkippableFact]
        public void A_mutex_held_by_the_peer_makes_a_cmdlet_time_out_with_the_module_error()
        {
            _wine.SkipIfMissing();
            using var peer = _wine.Peer(_name, "4096", "lock", "60000");
            peer.WaitForOutput("locked");
            using var host = _wine.RunHost($"$s = New-SharedMemory -Name '{_name}' -Raw -OpenExisting -TimeoutSeconds 1; $s.Created; Read-SharedMemory $s -Offset 0 -Count 4");
            Assert.Equal(new[] { "False" }, host.OutputLines);
            Assert.Contains("ERROR: ReadSharedMemoryLockTimeout,PSSharedMemory.Commands.ReadSharedMemoryCommand", host.Stderr, StringComparison.Ordinal);
        }

        [SkippableTheory]
        [InlineData("SIGKILL")]
        [InlineData("TerminateProcess")]
        public void A_peer_killed_holding_the_mutex_is_reported_as_abandoned_and_the_waiting_cmdlet_proceeds(string how)
        {
            _wine.SkipIfMissing();
            using var peer = _wine.Peer(_name, "4096", "lock", "600000");
            peer.WaitForOutput("locked");
            string windowsPid = peer.OutputLines.First(l => l.StartsWith("locked ", StringComparison.Ordinal)).Split(' ')[1];
            using var host = _wine.Host($@"
                $s = New-SharedMemory -Name '{_name}' -Raw -OpenExisting
                [Console]::Out.WriteLine('waiting'); [Console]::Out.Flush()
                Write-SharedMemory $s -Bytes 7,7 -Offset 0 -TimeoutSeconds 120
                (Read-SharedMemory $s -Offset 0 -Count 2) -join ','");
            host.WaitForOutput("waiting");
            System.Threading.Thread.Sleep(1000); // let the cmdlet reach its wait on the mutex
            Assert.False(host.HasExited);
            if (how == "SIGKILL")
            {
                peer.Kill();
            }
            else
            {
                using var killer = _wine.Peer("-", "0", "terminate", windowsPid);
                killer.WaitForExit(ChildProcess.DefaultTimeout);
                Assert.Equal("terminated", killer.OutputLines.Last());
            }

            host.WaitForExit(ChildProcess.DefaultTimeout);
            Assert.True(host.ExitCode == 0, host.Stderr);
            Assert.Equal("7,7", host.OutputLines.Last());
            Assert.Contains("WARNING: The lock of segment", host.Stderr, StringComparison.Ordinal);
            Assert.Contains("abandoned", host.Stderr, StringComparison.Ordinal);
        }

        [SkippableFact]
        public void Remove_closes_our_handles_and_the_name_lives_while_another_process_has_it_open()
        {
            _wine.SkipIfMissing();
            using var peer = _wine.Peer(_name, "4096", "write", "0", "01", "600000");
            peer.WaitForOutput("written");
            using var host = _wine.RunHost($@"
                $s = New-SharedMemory -Name '{_name}' -Raw -OpenExisting
                Remove-SharedMemory $s -Confirm:$false; $s.IsClosed
                (New-SharedMemory -Name '{_name}' -Raw -OpenExisting).Created");
            Assert.True(host.ExitCode == 0, host.Stderr);
            Assert.Equal(new[] { "True", "False" }, host.OutputLines); // documented Windows behaviour: the peer keeps it alive

            peer.Kill();
            using var after = _wine.RunHost($"New-SharedMemory -Name '{_name}' -Raw -OpenExisting");
            Assert.Contains("ERROR: NewSharedMemoryNotFound,", after.Stderr, StringComparison.Ordinal);
        }

        [SkippableFact]
        public void File_backed_segments_on_the_Windows_path()
        {
            _wine.SkipIfMissing();
            using var host = _wine.RunHost($@"
                $p = [IO.Path]::Combine([IO.Path]::GetTempPath(), '{_name}.bin')
                $f = New-SharedMemory -Name '{_name}' -Path $p -Size 5000; $f.Created; [IO.FileInfo]::new($p).Length
                Write-SharedMemory $f -InputObject 'on disk'; $f.Dispose()
                $g = New-SharedMemory -Name '{_name}' -Path $p; $g.Created; $g.Size; Read-SharedMemory $g; $g.Dispose()
                [IO.File]::Delete($p); [IO.File]::Exists($p)");
            Assert.True(host.ExitCode == 0, host.Stderr);
            Assert.Equal(new[] { "True", "5128", "False", "5000", "on disk", "False" }, host.OutputLines);
        }
    }
}
