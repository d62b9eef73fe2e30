BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $script:Id = ',PSSharedMemory.Commands.WriteSharedMemoryCommand'
}

Describe 'Write-SharedMemory' {
    BeforeEach { $name = New-TestSegmentName; $h = New-SharedMemory -Name $name -Size 1000 }
    AfterEach { Clear-TestSegment }

    It 'passes the handle on with -PassThru' {
        New-SharedMemory -Name $name | Write-SharedMemory -InputObject 'hello' -PassThru | Read-SharedMemory | Should -Be 'hello'
    }

    It 'collects pipeline input into one value' {
        1..5 | Write-SharedMemory -Name $name
        Read-SharedMemory -Name $name | Should -Be @(1, 2, 3, 4, 5)
    }

    It 'bumps the version on every write' {
        Write-SharedMemory $h -InputObject 1
        Write-SharedMemory $h -Bytes 1, 2 -Offset 900
        $h.Version | Should -Be 2
    }

    It 'changes nothing with -WhatIf' {
        Write-SharedMemory $h -InputObject 'old'
        Write-SharedMemory $h -InputObject 'new' -WhatIf
        Write-SharedMemory $h -Bytes 1, 2 -Offset 900 -WhatIf
        Read-SharedMemory $h | Should -Be 'old'
        $h.Version | Should -Be 1
    }

    It 'writes raw bytes at an offset' {
        Write-SharedMemory -Handle $h -Bytes ([byte[]](7, 8, 9)) -Offset 997
        $bytes = Read-SharedMemory -Handle $h -Offset 996 -Count 4
        $bytes.GetType() | Should -Be ([byte[]])
        $bytes | Should -Be @(0, 7, 8, 9)
    }

    It 'refuses bytes that end outside the data area, changing nothing' {
        { Write-SharedMemory -Handle $h -Bytes 1, 2, 3 -Offset 998 -ErrorAction Stop } | Should -Throw -ErrorId ('WriteSharedMemoryOutOfRange' + $Id)
        $bytes = Read-SharedMemory -Handle $h -Offset 998 -Count 2
        $bytes | Should -Be @(0, 0)
    }

    It 'refuses a value larger than the capacity and keeps the old one' {
        Write-SharedMemory $h -InputObject 'old'
        { Write-SharedMemory $h -InputObject ([byte[]]::new(1001)) -ErrorAction Stop } | Should -Throw -ErrorId ('WriteSharedMemoryValueTooLarge' + $Id)
        Read-SharedMemory $h | Should -Be 'old'
    }

    It 'needs input' {
        { $h | Write-SharedMemory -ErrorAction Stop } | Should -Throw -ErrorId ('WriteSharedMemoryNoInput' + $Id)
    }

    It 'refuses a closed handle' {
        $h.Dispose()
        { Write-SharedMemory $h -InputObject 1 -ErrorAction Stop } | Should -Throw -ErrorId ('WriteSharedMemoryHandleClosed' + $Id)
    }

    It 'takes a value of up to MaxValueBytes at every write, and refuses a larger one at the first' {
        $big = New-SharedMemory -Name ($name + 'big') -Size 100KB
        $big.MaxValueBytes | Should -Be 50KB
        ($big | Format-List | Out-String) | Should -Match 'MaxValueBytes\s*:\s*51200'
        $value = [byte[]]::new(50KB - 100)
        1..3 | ForEach-Object { Write-SharedMemory $big -InputObject $value }
        $big.Version | Should -Be 3
        $record = $null
        try { Write-SharedMemory $big -InputObject ([byte[]]::new(60KB)) -ErrorAction Stop } catch { $record = $_ }
        $record.FullyQualifiedErrorId | Should -Be ('WriteSharedMemoryValueTooLarge' + $Id)
        $record.Exception.Message | Should -Match 'at most 51200 bytes \(its MaxValueBytes\)'
        $record.Exception.Message | Should -Match '-Size 12\d{4} or more'
        $big.Version | Should -Be 3
        (Read-SharedMemory $big).Length | Should -Be $value.Length
    }

    It 'refuses at the first write a value that a second write of the same size could not take' {
        $empty = New-SharedMemory -Name ($name + 'empty') -Size 100KB
        { Write-SharedMemory $empty -InputObject ([byte[]]::new(60KB)) -ErrorAction Stop } | Should -Throw -ErrorId ('WriteSharedMemoryValueTooLarge' + $Id)
        $empty.Version | Should -Be 0
        $empty.MaxValueBytes | Should -Be 51200
        (New-SharedMemory -Name ($name + 'queue') -Size 4KB -Queue).MaxValueBytes | Should -BeNullOrEmpty
    }
}
