BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $script:Id = ',PSSharedMemory.Commands.ReadSharedMemoryCommand'
}

Describe 'Read-SharedMemory' {
    BeforeEach { $name = New-TestSegmentName; $h = New-SharedMemory -Name $name -Size 65536 }
    AfterEach { Clear-TestSegment }

    It 'returns strings, bytes and objects as they were written' {
        Write-SharedMemory $h -InputObject 'grüße ☃'
        Read-SharedMemory $h | Should -Be 'grüße ☃'
        Write-SharedMemory $h -InputObject ([byte[]](0, 1, 255))
        $bytes = Read-SharedMemory $h
        $bytes.GetType() | Should -Be ([byte[]])
        $bytes | Should -Be @(0, 1, 255)
        [pscustomobject]@{ Id = 42; When = [datetime]'2026-01-02' } | Write-SharedMemory -Name $name
        $o = Read-SharedMemory -Name $name
        $o.Id | Should -Be 42
        $o.When | Should -Be ([datetime]'2026-01-02')
    }

    It 'returns a plain [pscustomobject] exactly as CliXml would, with its property types and arrays' {
        $sent = [pscustomobject]@{ Id = 7; Name = 'job'; Ratio = 0.5; Ok = $true; When = [datetime]::UtcNow; Tags = 'a', 'b'; Nothing = $null }
        $sent | Write-SharedMemory $h
        $got = Read-SharedMemory $h
        $clixml = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($sent, 2))
        $got.PSObject.TypeNames | Should -Be $clixml.PSObject.TypeNames
        $got.PSObject.Properties.Name | Should -Be $clixml.PSObject.Properties.Name
        foreach ($p in $clixml.PSObject.Properties) {
            $got.PSObject.Properties[$p.Name].TypeNameOfValue | Should -Be $p.TypeNameOfValue
        }
        $got.When | Should -Be $sent.When
        $got.When.Kind | Should -Be 'Utc'
        $got.Tags | Should -Be @('a', 'b')
        $got.Tags.PSObject.TypeNames[0] | Should -Be 'Deserialized.System.Object[]'
    }

    It 'emits nothing when no value was written' {
        Read-SharedMemory $h | Should -BeNullOrEmpty
    }

    It 'refuses ranges outside the data area' {
        { Read-SharedMemory $h -Offset 65535 -Count 2 -ErrorAction Stop } | Should -Throw -ErrorId ('ReadSharedMemoryOutOfRange' + $Id)
    }

    It 'refuses value reads of raw segments' {
        $raw = New-SharedMemory -Name ($name + 'r') -Size 64 -Raw
        { Read-SharedMemory $raw -ErrorAction Stop } | Should -Throw -ErrorId ('ReadSharedMemoryNotAValueSegment' + $Id)
    }

    It 'reports a missing name' {
        { Read-SharedMemory -Name (New-TestSegmentName) -ErrorAction Stop } | Should -Throw -ErrorId ('ReadSharedMemoryNotFound' + $Id)
    }

    It 'reports a corrupted header as InvalidData' {
        Write-SharedMemory $h -InputObject 'x'
        # Another program writes over the header, through a raw view of the same segment.
        New-SharedMemory -Name $name -Raw -OpenExisting | Write-SharedMemory -Bytes 7, 0, 0, 0 -Offset 28
        $err = $null
        Read-SharedMemory $h -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be ('ReadSharedMemoryCorrupted' + $Id)
        $err[0].CategoryInfo.Category | Should -Be 'InvalidData'
    }

    It 'times out when another holder keeps the lock' {
        $peer = Start-LockHolder -Name $name
        try {
            { Read-SharedMemory $h -TimeoutSeconds 0.5 -ErrorAction Stop } | Should -Throw -ErrorId ('ReadSharedMemoryLockTimeout' + $Id)
        }
        finally { $peer | Stop-Process -Force }
    }

    It 'reads raw bytes into an array of the caller''s with -Destination, emitting nothing' {
        $raw = New-SharedMemory -Name ($name + 'raw') -Size 1MB -Raw
        Write-SharedMemory $raw -Bytes 1, 2, 3 -Offset 1000
        $into = [byte[]]::new(10)
        $into[0] = 9
        $out = Read-SharedMemory $raw -Offset 1000 -Count 3 -Destination $into -DestinationOffset 4
        $out | Should -BeNullOrEmpty
        $into | Should -Be @(9, 0, 0, 0, 1, 2, 3, 0, 0, 0)
        # The same array again, by name: nothing new is made.
        Read-SharedMemory -Name ($name + 'raw') -Offset 999 -Count 2 -Destination $into
        $into[0..1] | Should -Be @(0, 1)
    }

    It 'refuses a -Destination too small for -Count, reading nothing' {
        $raw = New-SharedMemory -Name ($name + 'raw') -Size 100 -Raw
        Write-SharedMemory $raw -Bytes 5, 5, 5 -Offset 0
        $into = [byte[]]::new(4)
        { Read-SharedMemory $raw -Offset 0 -Count 3 -Destination $into -DestinationOffset 2 -ErrorAction Stop } | Should -Throw -ErrorId ('ReadSharedMemoryOutOfRange' + $Id)
        { Read-SharedMemory $raw -Offset 0 -Count 3 -Destination $into -DestinationOffset -1 -ErrorAction Stop } | Should -Throw -ErrorId ('ReadSharedMemoryOutOfRange' + $Id)
        $into | Should -Be @(0, 0, 0, 0)
    }

    It 'has a benchmark of large raw reads that runs and leaves no segment behind' {
        $lines = & (Join-Path $PSScriptRoot '../../bench/Measure-RawRead.ps1') -SizeMB 1 -Rounds 1 -WarmUp 0
        $lines | Should -HaveCount 8
        $lines[1] | Should -Match '^Read-SharedMemory -Count \(a new array\)\s+[\d.]+ ms\s+write [\d.]+x$'
        Get-SharedMemory -Name 'measure-raw-*' | Should -BeNullOrEmpty
        Get-ShmEntry | Where-Object { $_ -like 'measure-raw-*' } | Should -BeNullOrEmpty
    }
}
