<#
.SYNOPSIS
    The benchmark's user-facing rows: every measurement that runs PowerShell, each in pwsh processes of its
    own, as users run the module.
.DESCRIPTION
    Runs, each in a fresh pwsh: Measure-Cmdlets.ps1 (one process: single values and 10,000-object streams
    against PSSerializer, Export-Clixml and copies), Measure-HandOff.ps1 (10,000 objects from one warm pwsh to
    another against the hand-offs scripters write today and the floor) and Measure-Cold.ps1 (fresh processes:
    a value from one script to the next, and the first calls' cost). Prints their rows as one Markdown table.
    `dotnet run -c Release --project bench/PSSharedMemory.Bench -- --only pwsh` runs this script, and a whole
    run of the benchmark includes it.
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Measure-Pwsh.ps1 -ModuleManifest ./out/PSSharedMemory/0.1.0/PSSharedMemory.psd1 -Quick
#>
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [switch] $Quick
)

$ErrorActionPreference = 'Stop'
$ModuleManifest = (Resolve-Path -LiteralPath $ModuleManifest).Path
Import-Module (Join-Path $PSScriptRoot '../tools/PwshCommand.psm1')
$handOffRounds = if ($Quick) { 3 } else { 5 }
$quickSwitch = @(if ($Quick) { '-Quick' })
$measurements = [ordered]@{
    'Measure-Cmdlets.ps1' = @('-ModuleManifest', $ModuleManifest) + $quickSwitch
    'Measure-HandOff.ps1' = @('-ModuleManifest', $ModuleManifest, '-Rounds', $handOffRounds)
    'Measure-Cold.ps1' = @('-ModuleManifest', $ModuleManifest) + $quickSwitch
}
'| group | what | figure | baseline | ratio | target |'
'|---|---|---|---|---|---|'
foreach ($measurement in $measurements.Keys) {
    $arguments = $measurements[$measurement]
    $lines = Invoke-Pwsh -NoProfile -NonInteractive -File (Join-Path $PSScriptRoot $measurement) @arguments
    if ($LASTEXITCODE -ne 0) { throw "$measurement failed with exit code $LASTEXITCODE" }
    # pwsh may put a terminal mode sequence before a line; the rows are what starts with '| '.
    foreach ($line in $lines) {
        $at = $line.IndexOf('| ', [StringComparison]::Ordinal)
        if ($at -ge 0) { $line.Substring($at) }
    }
}
"pwsh $($PSVersionTable.PSVersion) on $([Environment]::ProcessorCount) cores, $([Runtime.InteropServices.RuntimeInformation]::OSDescription)"
