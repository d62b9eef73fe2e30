# Installed as a user installs it: published to a repository, installed by name, imported by name.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
}

Describe 'Installing the module' {
    BeforeEach { $name = New-TestSegmentName }
    AfterEach { Clear-TestSegment }

    It 'publishes to a file repository with Publish-PSResource, installs by name, and imports by name in a fresh pwsh' {
        $moduleDir = Split-Path (Get-TestModuleManifest)
        $repository = Join-Path $TestDrive 'repository'
        New-Item -ItemType Directory -Path $repository | Out-Null
        $repositoryName = 'PSSharedMemoryTest' + $name.Substring(7)
        # A scratch user profile: on Linux and macOS PSResourceGet keeps its repositories and CurrentUser modules
        # under HOME; Windows (a Wine prefix made for the run, here) keeps them in the user's own folders.
        $savedHome = $env:HOME
        if (-not $IsWindows) { $env:HOME = Join-Path $TestDrive 'home'; New-Item -ItemType Directory -Path $env:HOME | Out-Null }
        try {
            $installed = Invoke-Peer -NoModule @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name $repositoryName -Uri '$repository' -Trusted
try {
    Publish-PSResource -Path '$moduleDir' -Repository $repositoryName
    Install-PSResource -Name PSSharedMemory -Repository $repositoryName -Scope CurrentUser -TrustRepository
    (Get-InstalledPSResource -Name PSSharedMemory).InstalledLocation
}
finally { Unregister-PSResourceRepository -Name $repositoryName }
"@
            Get-ChildItem $repository -Name | Should -Be 'PSSharedMemory.0.1.0.nupkg'
            $used = Invoke-Peer -NoModule @"
`$ErrorActionPreference = 'Stop'
Import-Module PSSharedMemory
(Get-Module PSSharedMemory).ModuleBase
New-SharedMemory -Name $name -Size 4KB | Write-SharedMemory -InputObject 'installed' -PassThru | Read-SharedMemory
Remove-SharedMemory -Name $name -Confirm:`$false
@((Get-Help Write-SharedMemory -Full).examples.example).Count
(Get-Help about_PSSharedMemory | Out-String) -match 'Error IDs'
"@
            $used[0] | Should -BeLike "$installed*PSSharedMemory*"
            $used[0] | Should -Not -BeLike "$moduleDir*"
            $used[1] | Should -Be 'installed'
            [int]$used[2] | Should -BeGreaterThan 2
            $used[3] | Should -Be 'True'
        }
        finally {
            if ($IsWindows) { Invoke-Peer -NoModule 'Uninstall-PSResource -Name PSSharedMemory -Scope CurrentUser -SkipDependencyCheck' }
            $env:HOME = $savedHome
        }
    }

    It 'carries the release notes of its version from CHANGELOG.md' {
        $manifest = Test-ModuleManifest -Path (Get-TestModuleManifest)
        $changelog = (Get-Content -Raw (Join-Path $PSScriptRoot '../../CHANGELOG.md')) -replace '\r', ''
        $section = [regex]::Match($changelog, "(?ms)^## $([regex]::Escape($manifest.Version.ToString()))[ \t]*\n(.*?)\s*(?=^## |\z)")
        $section.Success | Should -BeTrue -Because "CHANGELOG.md needs a section for $($manifest.Version)"
        $manifest.PrivateData.PSData.ReleaseNotes -replace '\r', '' | Should -BeExactly $section.Groups[1].Value.Trim()
        $manifest.PrivateData.PSData.ReleaseNotes | Should -Not -Match 'First version'
    }
}
