<#
.SYNOPSIS
    Times Write-SharedMemory and Read-SharedMemory of plain objects through a queue in one process: what the
    cmdlet layer itself costs per streamed object, apart from making the objects.
.DESCRIPTION
    Makes -Count five-property objects once. Each round then writes them all into a queue and reads them all
    back, each half timed on its own from a collected heap. The first -WarmUp rounds are left out, so that the
    engine's and the module's code runs optimised; the best and the median of the rest are reported.

    Made for comparing two builds of the module on a shared machine: run it with each build in turn, several
    times, alternating. Measure-Cmdlets.ps1 reports the same two figures against Export-Clixml and
    Import-Clixml in the benchmark's table.
.EXAMPLE
    dotnet pwsh -NoProfile -c 'Import-Module ./out/PSSharedMemory/0.1.0/PSSharedMemory.psd1; ./bench/Measure-CmdletStream.ps1'
#>
param(
    [ValidateRange(1, 1000000)][int] $Count = 10000,
    [ValidateRange(1, 1000)][int] $Rounds = 25,
    [ValidateRange(0, 1000)][int] $WarmUp = 10
)

$ErrorActionPreference = 'Stop'
$items = 1..$Count | ForEach-Object { [pscustomobject]@{ Id = $_; Name = "item$_"; State = 'Queued'; When = [datetime]::UtcNow; Tags = 'a', 'b' } }
# Room for every message at once, so that no write waits for a reader.
$queue = New-SharedMemory -Name ('measure-stream-' + [Diagnostics.Process]::GetCurrentProcess().Id) -Queue -Size ([Math]::Max(1MB, $Count * 256))
try {
    $writes = [Collections.Generic.List[double]]::new()
    $reads = [Collections.Generic.List[double]]::new()
    foreach ($round in 1..($WarmUp + $Rounds)) {
        [GC]::Collect()
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $items | Write-SharedMemory -Handle $queue
        $wrote = $clock.Elapsed.TotalMilliseconds
        [GC]::Collect()
        $clock.Restart()
        $got = @(Read-SharedMemory -Handle $queue).Count
        $read = $clock.Elapsed.TotalMilliseconds
        if ($got -ne $Count) { throw "round ${round}: read $got objects of $Count" }
        if ($round -gt $WarmUp) {
            $writes.Add($wrote)
            $reads.Add($read)
        }
    }

    $writes.Sort()
    $reads.Sort()
    $middle = [int][Math]::Floor($Rounds / 2)
    [string]::Format([Globalization.CultureInfo]::InvariantCulture,
        '{0} objects, {1} rounds: write best {2:F1} ms, median {3:F1} ms; read best {4:F1} ms, median {5:F1} ms',
        $Count, $Rounds, $writes[0], $writes[$middle], $reads[0], $reads[$middle])
}
finally {
    Remove-SharedMemory -Handle $queue -Confirm:$false
}
