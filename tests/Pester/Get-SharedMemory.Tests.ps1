BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
}

Describe 'Get-SharedMemory' {
    BeforeEach { $name = New-TestSegmentName }
    AfterEach { Clear-TestSegment }

    It 'lists the handles of this session, with wildcards' {
        New-SharedMemory -Name $name -Size 64 | Out-Null
        New-SharedMemory -Name ($name + '2') -Size 64 | Out-Null
        (Get-SharedMemory -Name "$name*").Name | Should -Be @($name, ($name + '2'))
        Get-SharedMemory -Name 'nomatch*' | Should -BeNullOrEmpty
    }

    # Windows has no way to list named file mappings.
    It 'lists segments on the machine with -ListAvailable' -Tag LinuxOnly-DevShm {
        New-SharedMemory -Name $name -Size 300 | Write-SharedMemory -InputObject 'x'
        $found = Get-SharedMemory -ListAvailable -Name $name
        $found.Format | Should -Be 'Value'
        $found.Size | Should -Be 300
        $found.Version | Should -Be 1
    }
}
