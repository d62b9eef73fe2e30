<#
.SYNOPSIS
    Builds, tests and packages PSSharedMemory.
.DESCRIPTION
    Build   compiles the module and lays it out in out/PSSharedMemory/<version>/, ready for Import-Module.
    Test    builds, runs the C# suite (dotnet test, the CI gate) and then the Pester 5 suite in tests/Pester.
    Package builds and checks the laid-out module with Test-ModuleManifest.
    Clean   removes out/ and the projects' bin/ and obj/ folders.
.EXAMPLE
    ./build.ps1 -Task Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package', 'Clean')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$root = $PSScriptRoot
$version = ([xml](Get-Content -Raw (Join-Path $root 'Directory.Build.props'))).Project.PropertyGroup.Version | Where-Object { $_ } | Select-Object -First 1
$moduleOut = Join-Path $root "out/PSSharedMemory/$version"

function Invoke-Native {
    param([string] $Command, [string[]] $Arguments)
    & $Command @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Command $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

function Invoke-Build {
    Invoke-Native dotnet @('build', (Join-Path $root 'src/PSSharedMemory/PSSharedMemory.csproj'), '-c', $Configuration, '--nologo')
    $bin = Join-Path $root "src/PSSharedMemory/bin/$Configuration/netstandard2.0"
    if (Test-Path $moduleOut) { Remove-Item $moduleOut -Recurse -Force }
    New-Item -ItemType Directory -Path $moduleOut -Force | Out-Null
    # The manifest in bin carries the version from Directory.Build.props; the dll needs nothing else at run time.
    foreach ($file in 'PSSharedMemory.dll', 'PSSharedMemory.psd1') {
        Copy-Item (Join-Path $bin $file) $moduleOut
    }
    foreach ($optional in 'PSSharedMemory.format.ps1xml', 'en-US', 'about_PSSharedMemory.help.txt') {
        $path = Join-Path $bin $optional
        if (Test-Path $path) { Copy-Item $path $moduleOut -Recurse }
    }
    Copy-Item (Join-Path $root 'LICENSE') $moduleOut
    Write-Host "Module laid out in $moduleOut"
}

function Invoke-Test {
    Invoke-Build
    Invoke-Native dotnet @('test', (Join-Path $root 'PSSharedMemory.slnx'), '-c', $Configuration, '--nologo')
    $pester = Get-Module -ListAvailable Pester | Where-Object { $_.Version -ge [version]'5.0' } | Sort-Object Version -Descending | Select-Object -First 1
    if (-not $pester) {
        Write-Warning 'Pester 5 is not installed: Install-Module Pester -MinimumVersion 5.0 to run tests/Pester.'
        return
    }
    Import-Module $pester
    $env:PSSHAREDMEMORY_MANIFEST = Join-Path $moduleOut 'PSSharedMemory.psd1'
    $config = New-PesterConfiguration
    $config.Run.Path = Join-Path $root 'tests/Pester'
    $config.Run.Exit = $true
    $config.Output.Verbosity = 'Detailed'
    Invoke-Pester -Configuration $config
}

function Invoke-Package {
    Invoke-Build
    $manifest = Test-ModuleManifest -Path (Join-Path $moduleOut 'PSSharedMemory.psd1')
    if ($manifest.Version -ne [version]$version) { throw "Manifest version $($manifest.Version) is not $version" }
    Write-Host "Package ready: $moduleOut ($($manifest.ExportedCmdlets.Count) cmdlets)"
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' { Invoke-Test }
    'Package' { Invoke-Package }
    'Clean' {
        Remove-Item (Join-Path $root 'out') -Recurse -Force -ErrorAction SilentlyContinue
        Get-ChildItem $root -Directory -Recurse -Include bin, obj | Remove-Item -Recurse -Force
    }
}
