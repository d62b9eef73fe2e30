BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $script:Id = ',PSSharedMemory.Commands.UpdateSharedMemoryCommand'
}

Describe 'Update-SharedMemory' {
    BeforeEach { $name = New-TestSegmentName; $h = New-SharedMemory -Name $name -Size 4096 }
    AfterEach { Clear-TestSegment }

    It 'passes the value as $_ and as the first argument, and stores the output' {
        Update-SharedMemory $h { if ($null -eq $_) { 1 } else { $_ + 1 } }
        Update-SharedMemory -Name $name -ScriptBlock { param($current) $current * 10 }
        Read-SharedMemory $h | Should -Be 10
    }

    It 'stores nothing when the block throws' {
        Write-SharedMemory $h -InputObject 5
        { Update-SharedMemory $h { throw 'no' } -ErrorAction Stop } | Should -Throw -ErrorId ('UpdateSharedMemoryScriptBlockFailed' + $Id)
        Read-SharedMemory $h | Should -Be 5
        $h.Version | Should -Be 1
    }

    It 'refuses a nested call on the same segment instead of deadlocking' {
        Write-SharedMemory $h -InputObject 1
        $nested = [System.Collections.Generic.List[System.Management.Automation.ErrorRecord]]::new()
        Update-SharedMemory $h { Read-SharedMemory -Name $name -ErrorVariable inner -ErrorAction SilentlyContinue; foreach ($e in $inner) { $nested.Add($e) }; 2 }
        $nested[0].FullyQualifiedErrorId | Should -Be 'ReadSharedMemoryLockReentered,PSSharedMemory.Commands.ReadSharedMemoryCommand'
        $nested[0].CategoryInfo.Category | Should -Be 'DeadlockDetected'
        Read-SharedMemory $h | Should -Be 2
    }

    It 'stops with the nested error when the preference is Stop' {
        Write-SharedMemory $h -InputObject 1
        { Update-SharedMemory $h { Read-SharedMemory -Name $name -ErrorAction Stop; 2 } -ErrorAction Stop } | Should -Throw -ErrorId ('UpdateSharedMemoryScriptBlockFailed' + $Id)
        Read-SharedMemory $h | Should -Be 1
    }
}
