<#
.SYNOPSIS
    Times the cmdlets in one pwsh process, as a script runs them, against what the same script would do
    without the module: one small object, large values, and 10,000 objects streamed through a queue.
.DESCRIPTION
    Single values: each statement runs in a loop of 100 (20 for 1 MiB and the temp file, 1 for 10 MB), the
    loops in turns of a fifth of the budget each, five turns, after a warm-up; a figure is the median time per
    repetition less that of an empty loop's repetition. Every statement drops its output by assigning it.
    Streams: 10,000 five-property objects made once are written into a queue and read back, each half timed
    on its own from a collected heap, against Export-Clixml to a temp file and Import-Clixml; three rounds of
    warm-up, then the median of seven (three with -Quick).
    Prints the rows in the benchmark's table format.
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Measure-Cmdlets.ps1 -ModuleManifest ./out/PSSharedMemory/0.1.0/PSSharedMemory.psd1
#>
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [switch] $Quick
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module (Resolve-Path -LiteralPath $ModuleManifest).Path
Import-Module (Join-Path $PSScriptRoot 'BenchRows.psm1')

$budgetMs = if ($Quick) { 500 } else { 2000 }
$turns = 5
$tag = 'measure-cmdlets-' + [Diagnostics.Process]::GetCurrentProcess().Id
$h = New-SharedMemory -Name $tag -Size 32MB
$q = New-SharedMemory -Name "$tag-q" -Queue -Size 8MB
$file = [IO.Path]::GetTempFileName()
try {
    $o = [pscustomobject]@{ Id = 1; Name = 'job'; State = 'Queued'; When = [datetime]::UtcNow; Tags = 'a', 'b' }
    $b = [byte[]]::new(1MB)
    $copy = [byte[]]::new(1MB)
    $s = 'x' * 10MB
    $utf8 = [Text.Encoding]::UTF8

    # Milliseconds per invocation of each block, in turns, so that a slow stretch of the machine falls on a row
    # and its baseline alike; the median of the turns.
    function Measure-InTurns([scriptblock[]] $Blocks) {
        $times = foreach ($block in $Blocks) { , [Collections.Generic.List[double]]::new() }
        foreach ($turn in 1..$turns) {
            for ($i = 0; $i -lt $Blocks.Count; $i++) {
                $clock = [Diagnostics.Stopwatch]::StartNew()
                $n = 0
                do { & $Blocks[$i]; $n++ } while ($clock.Elapsed.TotalMilliseconds -lt ($budgetMs / $turns))
                $times[$i].Add($clock.Elapsed.TotalMilliseconds / $n)
            }
        }
        foreach ($list in $times) { Get-Median $list.ToArray() }
    }

    $serializer = { foreach ($i in 1..100) { $null = [Management.Automation.PSSerializer]::Deserialize([Management.Automation.PSSerializer]::Serialize($o, 2)) } }
    $cmdlets = { foreach ($i in 1..100) { Write-SharedMemory -Handle $h -InputObject $o; $null = Read-SharedMemory -Handle $h } }
    $empty = { foreach ($i in 1..100) { $null = $null } }
    $clixml = { foreach ($i in 1..20) { $o | Export-Clixml -LiteralPath $file; $null = Import-Clixml -LiteralPath $file } }
    $bytes = { foreach ($i in 1..20) { Write-SharedMemory -Handle $h -InputObject $b; $null = Read-SharedMemory -Handle $h } }
    $twoCopies = { foreach ($i in 1..20) { [Buffer]::BlockCopy($b, 0, $copy, 0, $b.Length); $null = $copy.Clone() } }
    $text = { Write-SharedMemory -Handle $h -InputObject $s; $null = Read-SharedMemory -Handle $h }
    $encode = { $null = $utf8.GetString($utf8.GetBytes($s)) }

    # Warm-up: the engine compiles a loop it runs often, and both sides' code settles.
    $warm = [Diagnostics.Stopwatch]::StartNew()
    while ($warm.Elapsed.TotalMilliseconds -lt $budgetMs) { & $serializer; & $cmdlets; & $empty }
    $small = Measure-InTurns $serializer, $cmdlets, $empty, $clixml
    $large = Measure-InTurns $bytes, $twoCopies, $text, $encode
    $emptyEach = $small[2] / 100
    $serializerEach = $small[0] / 100 - $emptyEach
    $cmdletsEach = $small[1] / 100 - $emptyEach
    $clixmlEach = $small[3] / 20 - $emptyEach
    $bytesEach = $large[0] / 20 - $emptyEach
    $copiesEach = $large[1] / 20 - $emptyEach
    $textEach = $large[2] - $emptyEach

    Format-BenchRow 'cmdlets' 'PSSerializer Serialize + Deserialize of a 5-property object, in pwsh' (Format-Milliseconds $serializerEach)
    Format-BenchRow 'cmdlets' 'Write-SharedMemory + Read-SharedMemory of the same object, in pwsh' (Format-Milliseconds $cmdletsEach) 'PSSerializer alone' ($cmdletsEach / $serializerEach) '≤ 1.5×' ($cmdletsEach / $serializerEach -le 1.5)
    Format-BenchRow 'alternative' 'Export-Clixml + Import-Clixml of that object through a temp file, in pwsh' (Format-Milliseconds $clixmlEach)
    Format-BenchRow 'cmdlets' 'Write-SharedMemory + Read-SharedMemory of that object, against the temp file' (Format-Milliseconds $cmdletsEach) 'temp file' ($clixmlEach / $cmdletsEach)
    Format-BenchRow 'cmdlets' 'Write-SharedMemory + Read-SharedMemory of a 1 MiB byte[], in pwsh' (Format-Milliseconds $bytesEach) ('a copy into an array and a copy into a new one ' + (Format-Milliseconds $copiesEach)) ($copiesEach / $bytesEach)
    Format-BenchRow 'cmdlets' 'Write-SharedMemory + Read-SharedMemory of a 10 MB string, in pwsh' (Format-Milliseconds $textEach) ('UTF-8 encode+decode ' + (Format-Milliseconds $large[3])) ($large[3] / $textEach)

    # Streams: what the cmdlet layer costs per object, apart from making the objects.
    $count = 10000
    $items = 1..$count | ForEach-Object { [pscustomobject]@{ Id = $_; Name = "item$_"; State = 'Queued'; When = [datetime]::UtcNow; Tags = 'a', 'b' } }
    $timed = if ($Quick) { 3 } else { 7 }
    $rounds = @{ qw = @(); qr = @(); fw = @(); fr = @() }
    foreach ($round in 1..(3 + $timed)) {
        foreach ($pair in @(@('q', { $items | Write-SharedMemory -Handle $q }, { Read-SharedMemory -Handle $q })), @(@('f', { $items | Export-Clixml -LiteralPath $file }, { Import-Clixml -LiteralPath $file }))) {
            [GC]::Collect()
            $clock = [Diagnostics.Stopwatch]::StartNew()
            & $pair[1]
            $wrote = $clock.Elapsed.TotalMilliseconds
            [GC]::Collect()
            $clock.Restart()
            $got = @(& $pair[2]).Count
            $read = $clock.Elapsed.TotalMilliseconds
            if ($got -ne $count) { throw "read $got objects of $count" }
            if ($round -gt 3) {
                $rounds["$($pair[0])w"] += $wrote
                $rounds["$($pair[0])r"] += $read
            }
        }
    }
    $qw = Get-Median $rounds.qw; $qr = Get-Median $rounds.qr; $fw = Get-Median $rounds.fw; $fr = Get-Median $rounds.fr
    Format-BenchRow 'alternative' "Export-Clixml of $($count.ToString('N0')) objects made beforehand to a temp file, one pwsh (median of $timed)" (Format-Milliseconds $fw)
    Format-BenchRow 'cmdlets' "Write-SharedMemory of the same objects into a queue, one pwsh: per object $(Format-Milliseconds ($qw / $count))" (Format-Milliseconds $qw) 'Export-Clixml' ($fw / $qw)
    Format-BenchRow 'alternative' "Import-Clixml of those objects from the temp file, one pwsh (median of $timed)" (Format-Milliseconds $fr)
    Format-BenchRow 'cmdlets' "Read-SharedMemory of the objects from the queue, one pwsh: per object $(Format-Milliseconds ($qr / $count))" (Format-Milliseconds $qr) 'Import-Clixml' ($fr / $qr)
}
finally {
    $h, $q | Remove-SharedMemory -Confirm:$false
    Remove-Item -LiteralPath $file -ErrorAction SilentlyContinue
}
