# Every cmdlet through each of its parameter sets, as the help's syntax shows them.

BeforeDiscovery {
    $script:Sets = @(
        @{ Command = 'New-SharedMemory'; Names = 'CreateNew', 'CreateOrOpen', 'OpenExisting' }
        @{ Command = 'Write-SharedMemory'; Names = 'RawByHandle', 'RawByName', 'ValueByHandle', 'ValueByName' }
        @{ Command = 'Read-SharedMemory'; Names = 'RawByHandle', 'RawByName', 'ValueByHandle', 'ValueByName' }
        @{ Command = 'Update-SharedMemory'; Names = 'ByHandle', 'ByName' }
        @{ Command = 'Get-SharedMemory'; Names = 'ListAvailable', 'Open' }
        @{ Command = 'Remove-SharedMemory'; Names = 'ByHandle', 'ByName' }
    )
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
}

Describe 'Parameter sets' {
    BeforeEach { $name = New-TestSegmentName }
    AfterEach { Clear-TestSegment }

    It '<Command> has the sets <Names>' -ForEach $Sets {
        (Get-Command $Command).ParameterSets.Name | Sort-Object | Should -Be $Names
        (Get-Help $Command).syntax.syntaxItem | Should -HaveCount $Names.Count -Because 'the help shows each set'
    }

    Context 'New-SharedMemory' {
        It 'CreateOrOpen creates, then opens' {
            (New-SharedMemory $name 64).Created | Should -BeTrue
            (New-SharedMemory $name).Created | Should -BeFalse
        }
        It 'CreateNew creates only' {
            (New-SharedMemory -Name $name -Size 64 -CreateNew).Created | Should -BeTrue
        }
        It 'OpenExisting opens only, at the existing size' {
            New-SharedMemory -Name $name -Size 100 | Out-Null
            $opened = New-SharedMemory -Name $name -OpenExisting
            $opened.Created | Should -BeFalse
            $opened.Size | Should -Be 100
        }
    }

    Context 'Write-SharedMemory and Read-SharedMemory' {
        It 'ValueByHandle takes the handle from the pipeline and the value from -InputObject' {
            $h = New-SharedMemory -Name $name -Size 4KB
            $h | Write-SharedMemory -InputObject 'by handle'
            $h | Read-SharedMemory | Should -Be 'by handle'
        }
        It 'ValueByName takes the value from the pipeline' {
            New-SharedMemory -Name $name -Size 4KB | Out-Null
            'by', 'name' | Write-SharedMemory -Name $name
            Read-SharedMemory -Name $name | Should -Be @('by', 'name')
        }
        It 'RawByHandle writes and reads bytes at an offset of a raw segment' {
            $raw = New-SharedMemory -Name $name -Size 100 -Raw
            Write-SharedMemory -Handle $raw -Bytes 1, 2, 3 -Offset 97
            $bytes = Read-SharedMemory -Handle $raw -Offset 96 -Count 4
            $bytes | Should -Be @(0, 1, 2, 3)
        }
        It 'RawByName writes and reads bytes at an offset by name' {
            New-SharedMemory -Name $name -Size 100 -Raw | Out-Null
            Write-SharedMemory -Name $name -Bytes 0xAB -Offset 0
            $bytes = Read-SharedMemory -Name $name -Offset 0 -Count 1
            $bytes | Should -Be @(0xAB)
        }
        It 'RawByHandle reads the data area of a value segment' {
            $h = New-SharedMemory -Name $name -Size 64
            Write-SharedMemory $h -Bytes 9 -Offset 63
            $bytes = Read-SharedMemory $h -Offset 63 -Count 1
            $bytes | Should -Be @(9)
        }
    }

    Context 'Update-SharedMemory' {
        It 'ByHandle and ByName both store the block''s output, and -PassThru emits the handle' {
            $h = New-SharedMemory -Name $name -Size 4KB
            Update-SharedMemory -Handle $h -ScriptBlock { 1 }
            $passed = Update-SharedMemory -Name $name -ScriptBlock { $_ + 1 } -PassThru
            $passed.Name | Should -Be $name
            Read-SharedMemory $h | Should -Be 2
        }
    }

    Context 'Get-SharedMemory' {
        It 'Open lists this session''s handles' {
            New-SharedMemory -Name $name -Size 64 | Out-Null
            (Get-SharedMemory -Name $name).Name | Should -Be $name
        }
        It 'ListAvailable finds segments on the machine, with their format' -Tag LinuxOnly-DevShm {
            # Windows has no way to list named file mappings.
            New-SharedMemory -Name $name -Size 4KB | Out-Null
            New-SharedMemory -Name ($name + 'raw') -Size 100 -Raw | Out-Null
            $found = Get-SharedMemory -ListAvailable -Name "$name*" | Sort-Object Name
            $found.Name | Should -Be @($name, ($name + 'raw'))
            $found.Format | Should -Be @('Value', 'Raw')
        }
    }

    Context 'Remove-SharedMemory' {
        It 'ByHandle closes the handle given through the pipeline' {
            $h = New-SharedMemory -Name $name -Size 64
            $h | Remove-SharedMemory -Confirm:$false
            $h.IsClosed | Should -BeTrue
        }
        It 'ByName removes a segment this session has no handle to' {
            $keep = New-SharedMemory -Name $name -Size 64
            Invoke-Peer "Remove-SharedMemory -Name $name -Confirm:`$false"
            if ($IsWindows) {
                # A named mapping lives while a process has it open: ours keeps it.
                (New-SharedMemory -Name $name -OpenExisting).Created | Should -BeFalse
            }
            else {
                { New-SharedMemory -Name $name -OpenExisting -ErrorAction Stop } | Should -Throw -ErrorId 'NewSharedMemoryNotFound,PSSharedMemory.Commands.NewSharedMemoryCommand'
            }
        }
    }
}
