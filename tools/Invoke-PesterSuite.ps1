<#
.SYNOPSIS
    Runs the Pester suite in tests/Pester in this pwsh, against a built module, and writes an NUnit result file.
.DESCRIPTION
    build.ps1 -Task Test starts it in a pwsh of its own on Linux and in the Windows pwsh under Wine. The exit
    code is the number of failed tests, plus one when the suite left anything in /dev/shm; 0 when all is well.
#>
param(
    [Parameter(Mandatory)] [string] $PesterManifest,
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $ResultFile,
    [string[]] $ExcludeTag = @(),
    [string[]] $Path = @(Join-Path $PSScriptRoot '../tests/Pester')
)

$ErrorActionPreference = 'Stop'
Import-Module $PesterManifest
$env:PSSHAREDMEMORY_MANIFEST = $ModuleManifest
$config = New-PesterConfiguration
$config.Run.Path = $Path
$config.Run.PassThru = $true
$config.Filter.ExcludeTag = $ExcludeTag
$config.Output.Verbosity = 'Detailed'
$config.TestResult.Enabled = $true
$config.TestResult.OutputFormat = 'NUnitXml'
$config.TestResult.OutputPath = $ResultFile
# Every test removes what it made: /dev/shm must be as the suite found it, whatever passed or failed.
$shmBefore = if ($IsLinux) { @(Get-ChildItem -LiteralPath /dev/shm -Force -Name) } else { @() }
$result = Invoke-Pester -Configuration $config
# A failed BeforeAll or a file that does not load fails no test of its own, but fails the suite.
$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
if ($IsLinux) {
    $left = @(Get-ChildItem -LiteralPath /dev/shm -Force -Name | Where-Object { $_ -notin $shmBefore })
    if ($left) {
        Write-Host "The suite left $($left.Count) entries in /dev/shm: $($left -join ', ')"
        $failed++
    }
}
exit $failed
