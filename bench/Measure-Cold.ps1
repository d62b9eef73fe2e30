<#
.SYNOPSIS
    Times the module as ops scripts meet it: in fresh pwsh processes, process start included.
.DESCRIPTION
    The hand-off of one value between two fresh pwsh processes: a script that writes a five-property object
    and exits, then a script that starts, reads it, removes what carried it and exits. The module's pair
    (New-SharedMemory + Write-SharedMemory, then Read-SharedMemory + Remove-SharedMemory) against the same two
    scripts with Export-Clixml and Import-Clixml + Remove-Item, and against two pwsh processes that do nothing
    (the floor). The three pairs run in turns, one round of warm-up, then the median of seven rounds (three
    with -Quick).

    Then the first calls of the module in a fresh pwsh, after another module has been imported (a script's
    first Get-Date | ConvertTo-Json): Import-Module, New-SharedMemory, the first Write-SharedMemory of an
    object and the first Read-SharedMemory, each timed in the process; the median of each over as many
    processes. Prints the rows in the benchmark's table format.
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Measure-Cold.ps1 -ModuleManifest ./out/PSSharedMemory/0.1.0/PSSharedMemory.psd1
#>
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [switch] $Quick
)

$ErrorActionPreference = 'Stop'
$ModuleManifest = (Resolve-Path -LiteralPath $ModuleManifest).Path
Import-Module (Join-Path $PSScriptRoot '../tools/PwshCommand.psm1')
Import-Module (Join-Path $PSScriptRoot 'BenchRows.psm1')
$rounds = if ($Quick) { 3 } else { 7 }
$tag = 'measure-cold-' + [Diagnostics.Process]::GetCurrentProcess().Id
$file = Join-Path ([IO.Path]::GetTempPath()) "$tag.clixml"
$value = "[pscustomobject]@{ Id = 42; Name = 'build-7'; State = 'Passed'; When = [datetime]::UtcNow; Tags = 'a', 'b' }"
$check = "if (`$v.Id -ne 42 -or `$v.Tags.Count -ne 2) { exit 3 }"

function Invoke-Fresh([string] $Script) {
    Invoke-Pwsh -NoProfile -NonInteractive -Command $Script
    if ($LASTEXITCODE -ne 0) { throw "a fresh pwsh ended with exit code $LASTEXITCODE running: $Script" }
}

$pairs = [ordered]@{
    module = @(
        "Import-Module '$ModuleManifest'; `$segment = New-SharedMemory -Name $tag -Size 64KB; Write-SharedMemory -Handle `$segment -InputObject ($value)"
        "Import-Module '$ModuleManifest'; `$v = Read-SharedMemory -Name $tag; Remove-SharedMemory -Name $tag -Confirm:`$false; $check")
    clixml = @(
        "$value | Export-Clixml -LiteralPath '$file'"
        "`$v = Import-Clixml -LiteralPath '$file'; Remove-Item -LiteralPath '$file'; $check")
    floor = @('exit 0', 'exit 0')
}
# A segment outlives its writer on Linux and macOS; a named mapping on Windows ends with its last handle, so
# there the pair has nothing to time.
if ($IsWindows) { $pairs.Remove('module') }
$times = @{}
foreach ($name in $pairs.Keys) { $times[$name] = [Collections.Generic.List[double]]::new() }
try {
    foreach ($round in 0..$rounds) {
        foreach ($name in $pairs.Keys) {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            Invoke-Fresh $pairs[$name][0]
            Invoke-Fresh $pairs[$name][1]
            if ($round -gt 0) { $times[$name].Add($clock.Elapsed.TotalMilliseconds) }
        }
    }
}
finally {
    Remove-Item -LiteralPath $file, "/dev/shm/$tag", "/dev/shm/${tag}_Mutex" -ErrorAction SilentlyContinue
}
$clixml = Get-Median $times.clixml.ToArray()
$floor = Get-Median $times.floor.ToArray()
Format-BenchRow 'alternative' "one value between two fresh pwsh processes: Export-Clixml, then Import-Clixml + Remove-Item, process start included (median of $rounds)" (Format-Milliseconds $clixml)
Format-BenchRow 'limit' "two fresh pwsh processes that do nothing (median of $rounds)" (Format-Milliseconds $floor) 'Export-Clixml pair' ($floor / $clixml)
if (-not $IsWindows) {
    $module = Get-Median $times.module.ToArray()
    Format-BenchRow 'cmdlets' 'the same value through a segment: Import-Module + New- + Write-, then Import-Module + Read- + Remove-' (Format-Milliseconds $module) 'Export-Clixml pair' ($module / $clixml) '≤ 1× the Export-Clixml pair' ($module -le $clixml)
}

# First calls in a fresh process, each step timed inside it.
$firstCalls = @"
`$null = Get-Date | ConvertTo-Json
`$clock = [Diagnostics.Stopwatch]::StartNew()
Import-Module '$ModuleManifest'
`$import = `$clock.Elapsed.TotalMilliseconds; `$clock.Restart()
`$segment = New-SharedMemory -Name $tag -Size 64KB
`$new = `$clock.Elapsed.TotalMilliseconds; `$clock.Restart()
Write-SharedMemory -Handle `$segment -InputObject ($value)
`$write = `$clock.Elapsed.TotalMilliseconds; `$clock.Restart()
`$v = Read-SharedMemory -Handle `$segment
`$read = `$clock.Elapsed.TotalMilliseconds
Remove-SharedMemory -Handle `$segment -Confirm:`$false
$check
[string]::Join(' ', [object[]](`$import, `$new, `$write, `$read))
"@
$steps = @{ import = @(); new = @(); write = @(); read = @(); total = @() }
foreach ($process in 1..$rounds) {
    $figures = [double[]]((Invoke-Fresh $firstCalls | Select-Object -Last 1) -split ' ')
    $steps.import += $figures[0]; $steps.new += $figures[1]; $steps.write += $figures[2]; $steps.read += $figures[3]
    $steps.total += ($figures | Measure-Object -Sum).Sum
}
$total = Get-Median $steps.total
$parts = 'Import-Module {0}, New- {1}, first Write- {2}, first Read- {3}' -f (Format-Milliseconds (Get-Median $steps.import)), (Format-Milliseconds (Get-Median $steps.new)), (Format-Milliseconds (Get-Median $steps.write)), (Format-Milliseconds (Get-Median $steps.read))
Format-BenchRow 'cmdlets' "first calls in a fresh pwsh, after another module: $parts (medians of $rounds processes)" (Format-Milliseconds $total) '' $null '≤ 40 ms' ($total -le 40)
