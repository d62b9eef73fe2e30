BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $script:Peer = Join-Path $PSScriptRoot '../interop/shm_peer.py'
    $script:Python = Get-Command python3 -ErrorAction SilentlyContinue
}

# The Python peer maps /dev/shm objects by name, as Python does on Linux.
Describe 'Python multiprocessing.shared_memory on the same segments' -Tag LinuxOnly-Python {
    BeforeEach { $name = New-TestSegmentName }
    AfterEach { Clear-TestSegment }

    It 'reads raw bytes the cmdlets wrote' {
        $h = New-SharedMemory -Name $name -Size 64 -Raw
        Write-SharedMemory $h -Bytes ([byte[]](0xCA, 0xFE)) -Offset 10
        & $Python $Peer read $name 10 2 | Should -Be 'cafe'
    }

    It 'writes raw bytes the cmdlets read' {
        & $Python $Peer create $name 100 50 68656c6c6f
        $h = New-SharedMemory -Name $name -Raw -OpenExisting
        $h.Size | Should -Be 100
        [Text.Encoding]::ASCII.GetString((Read-SharedMemory $h -Offset 50 -Count 5)) | Should -Be 'hello'
    }

    It 'reads a value from the documented layout alone' {
        New-SharedMemory -Name $name -Size 1024 | Write-SharedMemory -InputObject 'from PowerShell'
        & $Python $Peer value $name | Should -Be '2 1 from PowerShell'
    }
}
