BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $script:Id = ',PSSharedMemory.Commands.NewSharedMemoryCommand'
}

Describe 'New-SharedMemory' {
    BeforeEach { $name = New-TestSegmentName }
    AfterEach { Clear-TestSegment }

    It 'creates, then opens, and tells which' {
        $first = New-SharedMemory -Name $name -Size 4096
        $first.Created | Should -BeTrue
        $first.Size | Should -Be 4096
        $first.Version | Should -Be 0
        $second = New-SharedMemory $name 1024
        $second.Created | Should -BeFalse
        $second.Size | Should -Be 4096
        (New-SharedMemory -Name $name -OpenExisting).Created | Should -BeFalse
    }

    It 'keeps the checksum chosen at creation and refuses another one on open' {
        (New-SharedMemory -Name $name -Size 64 -Checksum Crc32).Checksum | Should -Be 'Crc32'
        (New-SharedMemory -Name $name).Checksum | Should -Be 'Crc32'
        { New-SharedMemory -Name $name -Checksum LaneSum -ErrorAction Stop } | Should -Throw -ErrorId ('NewSharedMemoryChecksumDiffers' + $Id)
    }

    It 'completes -Name with the open handles' {
        New-SharedMemory -Name $name -Size 64 | Out-Null
        $line = "Read-SharedMemory -Name $($name.Substring(0, $name.Length - 2))"
        $completions = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        $completions | Should -Contain $name
    }

    It 'shows Used and Created in the table and everything in the list' {
        $h = New-SharedMemory -Name $name -Size 64
        $h | Write-SharedMemory -InputObject 'abc'
        ($h | Format-Table | Out-String -Width 200) | Should -Match 'Used\s+Messages\s+Version\s+Created'
        ($h | Format-List | Out-String) | Should -Match 'UsedBytes\s*:\s*3'
    }

    It 'refuses -CreateNew on an existing segment' {
        New-SharedMemory -Name $name -Size 64 | Out-Null
        { New-SharedMemory -Name $name -Size 64 -CreateNew -ErrorAction Stop } | Should -Throw -ErrorId ('NewSharedMemoryAlreadyExists' + $Id)
    }

    It 'reports a missing segment for -OpenExisting' {
        { New-SharedMemory -Name $name -OpenExisting -ErrorAction Stop } | Should -Throw -ErrorId ('NewSharedMemoryNotFound' + $Id)
    }

    It 'needs a size to create' {
        { New-SharedMemory -Name $name -ErrorAction Stop } | Should -Throw -ErrorId ('NewSharedMemorySizeRequired' + $Id)
    }

    It 'refuses size <Size>' -ForEach @(@{ Size = 0 }, @{ Size = -1 }, @{ Size = [long]::MaxValue }) {
        { New-SharedMemory -Name $name -Size $Size -ErrorAction Stop } | Should -Throw -ErrorId ('NewSharedMemorySizeInvalid' + $Id)
    }

    It 'refuses more than an existing segment has' {
        New-SharedMemory -Name $name -Size 100 | Out-Null
        { New-SharedMemory -Name $name -Size 200 -ErrorAction Stop } | Should -Throw -ErrorId ('NewSharedMemorySizeExceedsExisting' + $Id)
    }

    It 'refuses <Label> as a name' -ForEach @(
        @{ Label = 'an empty string'; Bad = '' }
        @{ Label = 'a slash'; Bad = 'a/b' }
        @{ Label = 'a backslash'; Bad = 'a\b' }
        @{ Label = 'a NUL character'; Bad = "a`0b" }
        @{ Label = '300 characters'; Bad = ('x' * 300) }
    ) {
        $err = $null
        New-SharedMemory -Name $Bad -Size 64 -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be ('NewSharedMemoryNameInvalid' + $Id)
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err[0].TargetObject | Should -Be $Bad
    }

    It 'makes raw segments without a header' {
        $raw = New-SharedMemory -Name $name -Size 1000 -Raw
        $raw.Format | Should -Be 'Raw'
        $raw.Version | Should -BeNullOrEmpty
        { New-SharedMemory -Name $name -OpenExisting -ErrorAction Stop } | Should -Throw -ErrorId ('NewSharedMemoryNotAValueSegment' + $Id)
    }

    It 'maps a file, created with the size and then opened at its own' {
        $path = Join-Path $TestDrive 'data.bin'
        $h = New-SharedMemory -Name $name -Path $path -Size 5000
        $h.IsFileBacked | Should -BeTrue
        (Get-Item $path).Length | Should -Be (5000 + 128)
        Write-SharedMemory $h -InputObject 'on disk'
        $h.Dispose()
        $again = New-SharedMemory -Name $name -Path $path
        $again.Created | Should -BeFalse
        Read-SharedMemory $again | Should -Be 'on disk'
    }

    It 'closes its handles when the module is removed' {
        $h = New-SharedMemory -Name $name -Size 64
        Remove-Module PSSharedMemory
        $h.IsClosed | Should -BeTrue
        Import-Module (Get-TestModuleManifest) -Force
    }
}
