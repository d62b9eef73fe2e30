<#
.SYNOPSIS
    Runs the Pester suite in tests/Pester in this pwsh, against a built module, and writes an NUnit result file.
.DESCRIPTION
    build.ps1 -Task Test starts it in a pwsh of its own on Linux and in the Windows pwsh under Wine. The exit
    code is the number of failed tests (Pester's Run.Exit), 0 when all passed.
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
$config.Run.Exit = $true
$config.Filter.ExcludeTag = $ExcludeTag
$config.Output.Verbosity = 'Detailed'
$config.TestResult.Enabled = $true
$config.TestResult.OutputFormat = 'NUnitXml'
$config.TestResult.OutputPath = $ResultFile
Invoke-Pester -Configuration $config
