@{
    RootModule           = 'PSSharedMemory.dll'
    # The build writes the version from Directory.Build.props here; edit it there.
    ModuleVersion        = '0.1.0'
    GUID                 = '5b8f3c2e-7d4a-4e61-9a0b-2c6e8f1d3a57'
    Author               = 'PSSharedMemory contributors'
    CompanyName          = 'PSSharedMemory contributors'
    Copyright            = '(c) PSSharedMemory contributors. MIT License.'
    Description          = 'Exchange data between processes on one machine through named shared memory guarded by a cross-process lock: values (objects, text, bytes) and raw bytes at an offset, on Windows, Linux and macOS.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    DotNetFrameworkVersion = '4.6.2'
    FormatsToProcess     = @('PSSharedMemory.format.ps1xml')
    CmdletsToExport      = @(
        'New-SharedMemory'
        'Write-SharedMemory'
        'Read-SharedMemory'
        'Update-SharedMemory'
        'Get-SharedMemory'
        'Remove-SharedMemory'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('SharedMemory', 'IPC', 'Mutex', 'MemoryMappedFile', 'Linux', 'Windows', 'MacOS', 'PSEdition_Core', 'PSEdition_Desktop')
            LicenseUri   = 'https://opensource.org/licenses/MIT'
            # The build writes the section of CHANGELOG.md for this version here; edit it there.
            ReleaseNotes = '(from CHANGELOG.md)'
        }
    }
}
