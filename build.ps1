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

# Exactly what the PowerShell Gallery gets in out/PSSharedMemory/<version>/, and nothing else.
$script:PackageFiles = @(
    'PSSharedMemory.psd1'
    'PSSharedMemory.dll'
    'PSSharedMemory.format.ps1xml'
    'en-US/PSSharedMemory.dll-Help.xml'
    'en-US/about_PSSharedMemory.help.txt'
    'LICENSE'
)

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
    foreach ($file in $script:PackageFiles) {
        $source = if ($file -eq 'LICENSE') { Join-Path $root $file } else { Join-Path $bin $file }
        if (-not (Test-Path $source)) { throw "The build did not produce $file (looked for $source)" }
        $target = Join-Path $moduleOut $file
        New-Item -ItemType Directory -Path (Split-Path $target) -Force | Out-Null
        Copy-Item $source $target
    }
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
    $laidOut = Get-ChildItem $moduleOut -Recurse -File | ForEach-Object { $_.FullName.Substring($moduleOut.Length + 1).Replace('\', '/') }
    $unexpected = @($laidOut | Where-Object { $_ -notin $script:PackageFiles })
    if ($unexpected) { throw "Not for the Gallery: $($unexpected -join ', ')" }

    # Import the laid-out module in a fresh runspace, as a user would, and check what it shows.
    $shell = [powershell]::Create()
    try {
        $null = $shell.AddScript({
            param($manifestPath)
            Import-Module $manifestPath -ErrorAction Stop
            $cmdlets = @(Get-Command -Module PSSharedMemory)
            $help = Get-Help New-SharedMemory -Full
            $about = Get-Help about_PSSharedMemory
            [pscustomobject]@{
                Cmdlets = $cmdlets.Count
                Examples = @($help.examples.example).Count
                SizeHelp = [string](Get-Help New-SharedMemory -Parameter Size).description.Text
                About = [string]$about
                Views = @((Get-FormatData -TypeName PSSharedMemory.SharedMemorySegment).FormatViewDefinition).Count
            }
        }).AddArgument((Join-Path $moduleOut 'PSSharedMemory.psd1'))
        $check = $shell.Invoke() | Select-Object -First 1
        if ($shell.HadErrors) { throw "Importing the package failed: $($shell.Streams.Error[0])" }
    }
    finally {
        $shell.Dispose()
    }
    if ($check.Cmdlets -ne $manifest.ExportedCmdlets.Count) { throw "The package exports $($check.Cmdlets) cmdlets, the manifest $($manifest.ExportedCmdlets.Count)" }
    if ($check.Examples -lt 3 -or -not $check.SizeHelp) { throw 'Get-Help does not find the MAML help in the package' }
    if ($check.About -notmatch 'about_PSSharedMemory') { throw 'Get-Help does not find about_PSSharedMemory in the package' }
    if ($check.Views -lt 2) { throw 'The format file in the package does not define the table and list views' }
    Write-Host "Package ready: $moduleOut ($($check.Cmdlets) cmdlets, help, about topic, $($check.Views) views)"
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
