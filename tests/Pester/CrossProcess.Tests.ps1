BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
}

Describe 'Two PowerShell processes' {
    # This process creates each segment and keeps a handle: on Windows a named mapping lives only while a
    # process has it open, so a segment made by a peer that has exited is gone.
    BeforeEach { $name = New-TestSegmentName; $h = New-SharedMemory -Name $name -Size 1MB }
    AfterEach { Clear-TestSegment }

    It 'hand a value from one to the other, both ways' {
        Invoke-Peer "Write-SharedMemory -Name $name -InputObject ([pscustomobject]@{ From = 'peer'; ProcessId = `$PID })"
        $got = Read-SharedMemory -Name $name
        $got.From | Should -Be 'peer'
        $got.ProcessId | Should -Not -Be $PID
        'one', 'two' | Write-SharedMemory -Name $name
        Invoke-Peer "Read-SharedMemory -Name $name" | Should -Be @('one', 'two')
    }

    # Each kind goes one way checked here, and back checked by the peer: Probe runs there on what it read ($v).
    It 'hand over <Kind> as it was written, both ways' -ForEach @(
        @{ Kind = 'a string'; Write = "'grüße ☃ ' + ('x' * 1000)"; Check = { $args[0] | Should -BeExactly ('grüße ☃ ' + ('x' * 1000)) }
            # Compared there: a console may not carry the snowman back (Windows decodes a child's output with its code page).
            Probe = '$v.GetType().Name + " " + $v.Length + " " + ($v -ceq ("grüße ☃ " + ("x" * 1000)))'; Seen = 'String 1008 True' }
        @{ Kind = 'bytes'; Write = ',[byte[]](0..255)'; Check = { $args[0].GetType() | Should -Be ([byte[]]); $args[0] | Should -Be (0..255) }
            Probe = '$v.GetType().Name + " " + $v.Length + " " + $v[255]'; Seen = 'Byte[] 256 255' }
        @{ Kind = 'a plain object'; Write = "[pscustomobject]@{ Id = 7; Name = 'job'; Ratio = 0.5; Ok = `$true; When = [datetime]'2026-01-02T03:04:05Z'; Tags = 'a', 'b' }"
            Check = {
                $o = $args[0]
                $o.Id | Should -BeOfType [int]; $o.Id | Should -Be 7
                $o.Ratio | Should -BeOfType [double]; $o.Ok | Should -BeTrue
                $o.When | Should -Be ([datetime]'2026-01-02T03:04:05Z').ToUniversalTime()
                $o.Tags | Should -Be @('a', 'b')
            }
            Probe = '$v.Id.GetType().Name + " " + $v.Ratio.GetType().Name + " " + $v.When.ToUniversalTime().ToString("o") + " " + ($v.Tags -join ",")'; Seen = 'Int32 Double 2026-01-02T03:04:05.0000000Z a,b' }
        @{ Kind = 'an object of a .NET type, as CliXml'; Write = 'Get-Item -LiteralPath $PSHOME'
            Check = { $args[0].PSObject.TypeNames[0] | Should -Be 'Deserialized.System.IO.DirectoryInfo'; $args[0].FullName | Should -Be $PSHOME }
            Probe = '$v.PSObject.TypeNames[0] + " " + ($v.FullName -eq $PSHOME)'; Seen = 'Deserialized.System.IO.DirectoryInfo True' }
        @{ Kind = 'a hashtable'; Write = "@{ Count = 3; Names = @('x', 'y') }"
            Check = { $args[0] | Should -BeOfType [hashtable]; $args[0].Count | Should -Be 3; $args[0].Names | Should -Be @('x', 'y') }
            Probe = '$v.GetType().Name + " " + $v.Count + " " + ($v.Names -join ",")'; Seen = 'Hashtable 3 x,y' }
        @{ Kind = 'a stream of objects as one value'; Write = '1..3 | ForEach-Object { [pscustomobject]@{ N = $_ } }'
            Check = { $args[0].Count | Should -Be 3; $args[0].N | Should -Be @(1, 2, 3) }
            Probe = '"" + $v.Count + " " + ($v.N -join ",")'; Seen = '3 1,2,3' }
    ) {
        Invoke-Peer "$Write | Write-SharedMemory -Name $name"
        $got = Read-SharedMemory -Name $name
        & $Check $got
        Write-SharedMemory -Name $name -InputObject $got
        Invoke-Peer "`$v = Read-SharedMemory -Name $name; $Probe" | Should -BeExactly $Seen
    }

    It 'count exactly with Update-SharedMemory from two processes and this one' {
        Write-SharedMemory $h -InputObject 0
        $script = "1..500 | ForEach-Object { Update-SharedMemory -Name $name -ScriptBlock { `$_ + 1 } }"
        $peers = 1..2 | ForEach-Object { Start-Peer -Script $script }
        1..500 | ForEach-Object { Update-SharedMemory -Name $name -ScriptBlock { $_ + 1 } }
        foreach ($peer in $peers) { $peer.WaitForExit(); $peer.ExitCode | Should -Be 0 }
        Read-SharedMemory -Name $name | Should -Be 1500
    }

    # setsid: a process in a session of its own, as a service or a cron job runs, has no terminal in common.
    It 'count exactly with Update-SharedMemory from different sessions' -Tag LinuxOnly-Setsid {
        Write-SharedMemory $h -InputObject 0
        $script = "1..2000 | ForEach-Object { Update-SharedMemory -Name $name -ScriptBlock { `$_ + 1 } }"
        $peers = 1..2 | ForEach-Object { Start-Peer -Script $script -NewSession }
        foreach ($peer in $peers) { $peer.WaitForExit(); $peer.ExitCode | Should -Be 0 }
        Read-SharedMemory -Name $name | Should -Be 4000
    }

    It 'recover a lock whose owner was killed: a warning, the old value whole, the next write goes through' {
        Write-SharedMemory $h -InputObject 'whole'
        $peer = Start-LockHolder -Name $name
        $peer | Stop-Process -Force
        $peer.WaitForExit()
        $warnings = $null
        Read-SharedMemory -Name $name -WarningVariable warnings -WarningAction SilentlyContinue | Should -Be 'whole'
        $warnings | Should -Match 'abandoned'
        $h.Version | Should -Be 1
        Write-SharedMemory -Name $name -InputObject 'after' -WarningVariable warnings -WarningAction SilentlyContinue
        $warnings | Should -BeNullOrEmpty -Because 'the lock was recovered once'
        Read-SharedMemory -Name $name | Should -Be 'after'
    }
}
