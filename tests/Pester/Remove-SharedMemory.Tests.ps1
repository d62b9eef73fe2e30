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
}
