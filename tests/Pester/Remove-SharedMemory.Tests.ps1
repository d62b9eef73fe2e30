BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
}

Describe 'Remove-SharedMemory' {
    BeforeEach { $name = New-TestSegmentName }
    AfterEach { Clear-TestSegment }

    It 'closes the handle and removes the name' {
        $h = New-SharedMemory -Name $name -Size 64
        Remove-SharedMemory $h -Confirm:$false
        $h.IsClosed | Should -BeTrue
        (New-SharedMemory -Name $name -Size 64).Created | Should -BeTrue
    }

    It 'removes the shm object and its lock on Linux' -Tag LinuxOnly-DevShm {
        New-SharedMemory -Name $name -Size 64 | Remove-SharedMemory -Confirm:$false
        Test-Path "/dev/shm/$name" | Should -BeFalse
        Test-Path "/dev/shm/${name}_Mutex" | Should -BeFalse
    }

    It 'changes nothing with -WhatIf' {
        $h = New-SharedMemory -Name $name -Size 64
        Remove-SharedMemory $h -WhatIf
        $h.IsClosed | Should -BeFalse
    }

    It 'reports a missing name' {
        { Remove-SharedMemory -Name (New-TestSegmentName) -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'RemoveSharedMemoryNotFound,PSSharedMemory.Commands.RemoveSharedMemoryCommand'
    }

    It 'says what it removes: <Kind>' -ForEach @(
        @{ Kind = 'Value'; Make = { New-SharedMemory -Name $name -Size 4096 } }
        @{ Kind = 'Queue'; Make = { New-SharedMemory -Name $name -Size 4096 -Queue } }
        @{ Kind = 'Raw'; Make = { New-SharedMemory -Name $name -Size 4096 -Raw } }
    ) {
        $h = & $Make
        # -Verbose shows the text -WhatIf and -Confirm show, as the change goes ahead.
        $said = @(Remove-SharedMemory -Name $name -Confirm:$false -Verbose 4>&1)
        $said[0].Message | Should -BeExactly "Remove shared memory segment '$name' (4096 bytes, $Kind)"
        $h.IsClosed | Should -BeTrue
    }

    It 'leaves nothing behind when a name is mistyped, whatever the cmdlet' -Tag LinuxOnly-DevShm {
        $missing = New-TestSegmentName
        $before = Get-ShmEntry
        foreach ($call in { New-SharedMemory -Name $missing -OpenExisting }, { New-SharedMemory -Name $missing }, { Read-SharedMemory -Name $missing },
            { Write-SharedMemory -Name $missing -InputObject 1 }, { Update-SharedMemory -Name $missing -ScriptBlock { 1 } }, { Remove-SharedMemory -Name $missing -Confirm:$false }) {
            { & $call -ErrorAction Stop } | Should -Throw
            Get-ShmEntry | Should -Be $before -Because "$call must leave /dev/shm as it was"
        }
    }

    It 'cleans up a lock companion left without its segment' -Tag LinuxOnly-DevShm {
        # A process killed between removing the segment and removing its lock leaves the lock's file alone.
        New-SharedMemory -Name $name -Size 4KB | Write-SharedMemory -InputObject 1
        Get-SharedMemory -Name $name | ForEach-Object { $_.Dispose() }
        Remove-Item -LiteralPath "/dev/shm/$name"
        Test-Path "/dev/shm/${name}_Mutex" | Should -BeTrue
        { Remove-SharedMemory -Name $name -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'RemoveSharedMemoryNotFound,PSSharedMemory.Commands.RemoveSharedMemoryCommand'
        Test-Path "/dev/shm/${name}_Mutex" | Should -BeFalse
    }
}
