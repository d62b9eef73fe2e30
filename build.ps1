<#
.SYNOPSIS
    Builds, tests and packages PSSharedMemory.
.DESCRIPTION
    Runs in pwsh 7.6.10, pinned by the repository's tool manifest: on a machine with only the .NET SDK,
    `dotnet tool restore` once, then `dotnet pwsh ./build.ps1 -Task <task>`; where pwsh is installed,
    `./build.ps1 -Task <task>`.

    Build   compiles the module and lays it out in out/PSSharedMemory/<version>/, ready for Import-Module.
    Demo    builds, then runs examples/pipe-demo.ps1 in a fresh pwsh: two pwsh processes talking through a segment.
    Test    builds and runs every suite, each to the end, then prints one line per suite and a total:
              linux           the C# suite (dotnet test, Suite!=Windows)
              windows         the C# suite of the Windows code path under Wine (Suite=Windows)
              pester linux    tests/Pester in pwsh 7.6.10 with Pester 5.7.1
              pester windows  tests/Pester in pwsh 7.6.10 for win-x64 under Wine ($IsWindows true), tests tagged LinuxOnly-* excluded
            Results (trx, NUnit XML) and the summary go to out/TestResults/. Without Wine the two Windows suites
            report that they did not run; with PSSHAREDMEMORY_REQUIRE_WINE=1 (as in CI) that is a failure.
            Pester 5.7.1 comes from NuGet into the package cache (tools/TestShell restores it).
    Package builds and checks the laid-out module with Test-ModuleManifest.
    Clean   removes out/ and the projects' bin/ and obj/ folders.
.EXAMPLE
    dotnet tool restore; dotnet pwsh ./build.ps1 -Task Test
.EXAMPLE
    ./build.ps1 -Task Demo
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Demo', 'Test', 'Package', 'Clean')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot 'tools/PwshCommand.psm1') -Force

$root = $PSScriptRoot
$version = ([xml](Get-Content -Raw (Join-Path $root 'Directory.Build.props'))).Project.PropertyGroup.Version | Where-Object { $_ } | Select-Object -First 1
$moduleOut = Join-Path $root "out/PSSharedMemory/$version"
$testResults = Join-Path $root 'out/TestResults'
$pesterVersion = '5.7.1'

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

function Get-NuGetPackageRoot {
    if ($env:NUGET_PACKAGES) { return $env:NUGET_PACKAGES }
    $line = dotnet nuget locals global-packages --list | Select-Object -First 1
    $line -replace '^global-packages:\s*', ''
}

function Get-PesterManifest {
    # tools/TestShell downloads the pinned Pester from NuGet; the package's tools/ folder is the module.
    Invoke-Native dotnet @('restore', (Join-Path $root 'tools/TestShell/TestShell.csproj'), '--nologo', '-v', 'quiet')
    $manifest = Join-Path (Get-NuGetPackageRoot) "pester/$pesterVersion/tools/Pester.psd1"
    if (-not (Test-Path $manifest)) { throw "Pester $pesterVersion was not restored (looked for $manifest)" }
    $manifest
}

function Invoke-CSharpSuite {
    param([string] $Label, [string] $Filter, [switch] $NoBuild)
    $arguments = @('test', (Join-Path $root 'PSSharedMemory.slnx'), '-c', $Configuration, '--nologo', '--filter', $Filter,
        '--logger', "trx;LogFileName=$Label.trx", '--logger', 'console;verbosity=detailed', '--results-directory', (Join-Path $testResults $Label))
    if ($NoBuild) { $arguments += '--no-build' }
    & dotnet @arguments | Out-Host
    [pscustomobject]@{ Suite = $Label; ResultFile = Join-Path $testResults "$Label/$Label.trx"; ExitCode = $LASTEXITCODE }
}

function Invoke-PesterLinux {
    param([string] $Pester)
    $resultFile = Join-Path $testResults 'pester-linux.xml'
    Invoke-Pwsh -NoProfile -NonInteractive -File (Join-Path $root 'tools/Invoke-PesterSuite.ps1') `
        -PesterManifest $Pester -ModuleManifest (Join-Path $moduleOut 'PSSharedMemory.psd1') -ResultFile $resultFile | Out-Host
    [pscustomobject]@{ Suite = 'pester linux'; ResultFile = $resultFile; ExitCode = $LASTEXITCODE }
}

function ConvertTo-WindowsPath([string] $Path) { 'Z:' + $Path.Replace('/', '\') }

function Invoke-PesterWindows {
    param([string] $Pester)
    $resultFile = Join-Path $testResults 'pester-windows.xml'
    $suite = [pscustomobject]@{ Suite = 'pester windows'; ResultFile = $resultFile; ExitCode = 0 }
    if (-not (Test-Path /usr/bin/wine)) {
        $suite.ExitCode = if ($env:PSSHAREDMEMORY_REQUIRE_WINE -eq '1') { 1 } else { 0 }
        Write-Warning 'The Pester suite on the Windows path needs Wine (apt-get install wine64 wine): not run.'
        return $suite
    }
    $pwshDir = Join-Path $root 'out/windows/pwsh'
    Invoke-Native dotnet @('publish', (Join-Path $root 'tools/TestShell/TestShell.csproj'), '-c', $Configuration, '-r', 'win-x64', '--self-contained', '-o', $pwshDir, '--nologo', '-v', 'quiet')
    $env:WINEPREFIX = Join-Path $root 'out/windows/wineprefix'
    $env:WINEDEBUG = '-all'
    # Wine 8 crashes when the runtime frees JIT code under its W^X double mapping; Windows does not need this.
    $env:DOTNET_EnableWriteXorExecute = '0'
    try {
        $arguments = @(
            (Join-Path $pwshDir 'pwsh.exe'), '-NoProfile', '-NonInteractive', '-File', (ConvertTo-WindowsPath (Join-Path $root 'tools/Invoke-PesterSuite.ps1'))
            '-PesterManifest', (ConvertTo-WindowsPath $Pester), '-ModuleManifest', (ConvertTo-WindowsPath (Join-Path $moduleOut 'PSSharedMemory.psd1'))
            '-ResultFile', (ConvertTo-WindowsPath $resultFile), '-ExcludeTag', 'LinuxOnly*'
        )
        # Wine gives a program a console only when it starts on a terminal, and pwsh's console host needs one
        # (Windows always has conhost): script(1) provides the terminal. Quoted for the shell script runs.
        $command = (@('timeout', '2400', 'wine') + $arguments | ForEach-Object { "'" + $_.Replace("'", "'\''") + "'" }) -join ' '
        & script -qefc $command /dev/null | Out-Host
        $suite.ExitCode = $LASTEXITCODE
    }
    finally {
        & wineserver -k 2>$null
        Remove-Item Env:WINEPREFIX, Env:WINEDEBUG, Env:DOTNET_EnableWriteXorExecute -ErrorAction SilentlyContinue
    }
    $suite
}

function Get-SuiteCount {
    param([pscustomobject] $Suite)
    $count = [pscustomobject]@{ Suite = $Suite.Suite; Passed = 0; Failed = 0; Skipped = 0; Ran = $false }
    if (Test-Path $Suite.ResultFile) {
        [xml] $xml = Get-Content -Raw $Suite.ResultFile
        if ($Suite.ResultFile.EndsWith('.trx')) {
            $counters = $xml.TestRun.ResultSummary.Counters
            $count.Passed = [int]$counters.passed; $count.Failed = [int]$counters.failed + [int]$counters.error; $count.Skipped = [int]$counters.notExecuted
        }
        else {
            $cases = @($xml.SelectNodes('//test-case'))
            $count.Passed = @($cases | Where-Object result -eq 'Success').Count
            $count.Failed = @($cases | Where-Object result -in 'Failure', 'Error').Count
            # Tests a tag filter left out have no test-case: Pester counts them in the results' not-run.
            $count.Skipped = $cases.Count - $count.Passed - $count.Failed + [int]$xml.'test-results'.'not-run'
        }
        $count.Ran = $true
    }
    # A suite that failed without writing its results (a crash, a build error) counts as one failure.
    if ($Suite.ExitCode -ne 0 -and $count.Failed -eq 0) { $count.Failed = 1 }
    $count
}

function Invoke-Test {
    Invoke-Build
    if (Test-Path $testResults) { Remove-Item $testResults -Recurse -Force }
    New-Item -ItemType Directory -Path $testResults -Force | Out-Null
    $pester = Get-PesterManifest
    $suites = @(
        Invoke-CSharpSuite -Label linux -Filter 'Suite!=Windows'
        Invoke-CSharpSuite -Label windows -Filter 'Suite=Windows' -NoBuild
        Invoke-PesterLinux -Pester $pester
        Invoke-PesterWindows -Pester $pester
    )
    $counts = $suites | ForEach-Object { Get-SuiteCount $_ }
    $lines = foreach ($c in $counts) {
        if ($c.Ran) { '{0} suite: {1} passed, {2} failed, {3} skipped' -f $c.Suite, $c.Passed, $c.Failed, $c.Skipped }
        else { '{0} suite: not run, {1} failed' -f $c.Suite, $c.Failed }
    }
    $total = ($counts | Measure-Object Passed, Failed, Skipped -Sum).Sum
    $lines += '{0} passed, {1} failed, {2} skipped' -f $total[0], $total[1], $total[2]
    Set-Content -Path (Join-Path $testResults 'summary.txt') -Value $lines
    $lines | ForEach-Object { Write-Host $_ }
    if ($total[1] -gt 0) { exit 1 }
}

function Invoke-Demo {
    Invoke-Build
    $env:PSSHAREDMEMORY_MANIFEST = Join-Path $moduleOut 'PSSharedMemory.psd1'
    Invoke-Pwsh -NoProfile -File (Join-Path $root 'examples/pipe-demo.ps1') | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "The demo failed with exit code $LASTEXITCODE" }
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
    'Demo' { Invoke-Demo }
    'Test' { Invoke-Test }
    'Package' { Invoke-Package }
    'Clean' {
        Remove-Item (Join-Path $root 'out') -Recurse -Force -ErrorAction SilentlyContinue
        Get-ChildItem $root -Directory -Recurse -Include bin, obj | Remove-Item -Recurse -Force
    }
}
