BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $script:Id = ',PSSharedMemory.Commands.UpdateSharedMemoryCommand'
}

Describe 'Update-SharedMemory' {
    BeforeEach { $name = New-TestSegmentName; $h = New-SharedMemory -Name $name -Size 4096 }
    AfterEach { Get-SharedMemory | Remove-SharedMemory -Confirm:$false }

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

    It 'refuses a nested call on the same segment' {
        Write-SharedMemory $h -InputObject 1
        $err = $null
        Update-SharedMemory $h { Read-SharedMemory -Name $name; 2 } -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'ReadSharedMemoryLockReentered,PSSharedMemory.Commands.ReadSharedMemoryCommand'
    }
}
