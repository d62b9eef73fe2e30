BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
}

Describe 'Two PowerShell processes' {
    BeforeEach { $name = New-TestSegmentName }
    AfterEach { Clear-TestSegment }

    It 'hand a value from one to the other, both ways' {
        Invoke-Peer "New-SharedMemory -Name $name -Size 65536 | Write-SharedMemory -InputObject ([pscustomobject]@{ From = 'peer'; ProcessId = `$PID })"
        (Read-SharedMemory -Name $name).From | Should -Be 'peer'
        'one', 'two' | Write-SharedMemory -Name $name
        Invoke-Peer "Read-SharedMemory -Name $name" | Should -Be @('one', 'two')
    }

    It 'count exactly with Update-SharedMemory from different sessions' -Tag LinuxOnly {
        New-SharedMemory -Name $name -Size 4096 | Write-SharedMemory -InputObject 0
        $script = "1..2000 | ForEach-Object { Update-SharedMemory -Name $name -ScriptBlock { `$_ + 1 } }"
        $peers = 1..2 | ForEach-Object { Start-Peer -Script $script -NewSession }
        foreach ($peer in $peers) { $peer.WaitForExit(); $peer.ExitCode | Should -Be 0 }
        Read-SharedMemory -Name $name | Should -Be 4000
    }

    It 'recover a lock whose owner was killed, with a warning' {
        New-SharedMemory -Name $name -Size 4096 | Write-SharedMemory -InputObject 'kept'
        $out = Join-Path $TestDrive 'peer.txt'
        $peer = Start-Peer -OutFile $out -Script "Update-SharedMemory -Name $name -ScriptBlock { [Console]::Out.WriteLine('locked'); [Console]::Out.Flush(); Start-Sleep 600 }"
        Wait-Until { (Test-Path $out) -and (Get-Content $out -Raw) -match 'locked' }
        $peer | Stop-Process -Force
        $peer.WaitForExit()
        $warnings = $null
        Write-SharedMemory -Name $name -InputObject 'after' -WarningVariable warnings -WarningAction SilentlyContinue
        $warnings | Should -Match 'abandoned'
        Read-SharedMemory -Name $name | Should -Be 'after'
    }
}
