<#
.SYNOPSIS
    Times the hand-off of plain objects from one warm pwsh process to another: the module's queue against the
    hand-offs a scripter writes today, and against the scripts with no hand-off at all.
.DESCRIPTION
    Starts two pwsh processes (this pwsh's own kind) and keeps them for the whole run: a producer, holding
    -Count five-property objects made before any clock starts, and a consumer, which sums their Size with
    ForEach-Object as a script would. Each round of a method tells the consumer to get ready, starts the
    clock, tells the producer to send, and stops the clock when the consumer has read the last object. The
    consumer reports the count, the sum and the type of each property of the last object; a method that
    loses or changes anything fails the run.

    Methods, each one round of warm-up, then -Rounds rounds in turns with the others (the median is shown):
      queue          Write-SharedMemory into a queue, Read-SharedMemory -Wait in the consumer
      clixml-tmp     Export-Clixml to a file in the temp folder, then Import-Clixml
      clixml-shm     the same through /dev/shm (Linux)
      serializer-tmp PSSerializer's text of the whole array to a file in the temp folder, then Deserialize
      pipe-json      a named pipe (System.IO.Pipes) carrying one ConvertTo-Json -Compress line per object
      pipe-clixml    the same pipe carrying each object's PSSerializer text on one line
      pwsh-xml       the stream of pwsh -OutputFormat xml, which pwsh -InputFormat xml reads: the consumer
                     runs `pwsh -OutputFormat xml` as a child before the clock starts, the child makes the
                     objects and waits; the producer's part is to tell it to write them
      job            Start-Job + Receive-Job: likewise, the consumer starts the job before the clock starts,
                     the job makes the objects and waits, the producer tells it to emit them
      floor          the same two scripts with the hand-off taken out: the producer's pipeline ends in
                     Out-Null, the consumer iterates objects it already holds
    Every ratio is the method's median against the queue's, measured in the same run. Prints the rows in the
    benchmark's table format, with the targets: the queue 4x faster than the fastest other hand-off, 3x faster
    than PSSerializer through a temp file, and within 1.5x of the floor.
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Measure-HandOff.ps1 -ModuleManifest ./out/PSSharedMemory/0.1.0/PSSharedMemory.psd1
#>
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [ValidateRange(1, 1000000)] [int] $Count = 10000,
    [ValidateRange(1, 100)] [int] $Rounds = 5
)

$ErrorActionPreference = 'Stop'
$ModuleManifest = (Resolve-Path $ModuleManifest).Path
$tag = 'handoff' + [Diagnostics.Process]::GetCurrentProcess().Id
$tempFile = Join-Path ([IO.Path]::GetTempPath()) "$tag.clixml"
$shmFile = "/dev/shm/$tag.clixml"
$queue = "${tag}q"
$signal = Join-Path ([IO.Path]::GetTempPath()) "$tag.go"
$methods = @('queue', 'clixml-tmp', 'serializer-tmp', 'pipe-json', 'pipe-clixml', 'pwsh-xml', 'job', 'floor')
if ($IsLinux) { $methods = @('queue', 'clixml-tmp', 'clixml-shm', 'serializer-tmp', 'pipe-json', 'pipe-clixml', 'pwsh-xml', 'job', 'floor') }

Import-Module (Join-Path $PSScriptRoot '../tools/PwshCommand.psm1')
Import-Module (Join-Path $PSScriptRoot 'BenchRows.psm1')
$pwsh = Get-PwshCommand

function Start-Worker {
    $start = [Diagnostics.ProcessStartInfo]::new($pwsh[0])
    foreach ($argument in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-Command', '-')) { $start.ArgumentList.Add($argument) }
    $start.RedirectStandardInput = $true
    $start.RedirectStandardOutput = $true
    $start.UseShellExecute = $false
    [Diagnostics.Process]::Start($start)
}

function Send-Statement([Diagnostics.Process] $Worker, [string] $Statement) {
    # pwsh -Command - runs each line it reads; a statement is one line.
    $Worker.StandardInput.WriteLine($Statement)
    $Worker.StandardInput.Flush()
}

function Wait-Line([Diagnostics.Process] $Worker, [string] $Prefix) {
    while ($true) {
        $reading = $Worker.StandardOutput.ReadLineAsync()
        if (-not $reading.Wait([TimeSpan]::FromMinutes(2))) { throw "no '$Prefix' from a worker in two minutes" }
        $line = $reading.Result
        if ($null -eq $line) { throw "a worker ended while the driver waited for '$Prefix'" }
        # pwsh -Command - may put a terminal mode sequence before a line's text.
        $at = $line.IndexOf($Prefix, [StringComparison]::Ordinal)
        if ($at -ge 0) { return $line.Substring($at + $Prefix.Length).Trim() }
    }
}

function Wait-File([string] $Path) {
    $limit = [Diagnostics.Stopwatch]::StartNew()
    while (-not (Test-Path -LiteralPath $Path)) {
        if ($limit.Elapsed.TotalMinutes -gt 2) { throw "no $Path in two minutes" }
        [Threading.Thread]::Sleep(1)
    }
}

$objects = "`$items = 1..$Count | ForEach-Object { [pscustomobject]@{ Id = `$_; Name = ""item`$_""; Size = `$_ * 3; When = [datetime]::UtcNow; Tags = 'a', 'b' } }"
$summary = '"done {0} {1} {2}" -f $n, $sum, (($last.PSObject.Properties | ForEach-Object { $_.TypeNameOfValue -replace ''^System\.'' }) -join ''/'')'
$init = '$n = 0; $sum = 0; $last = $null'
$consume = 'ForEach-Object { $n++; $sum += $_.Size; $last = $_ }'
$waitFor = { param($path) "while (-not (Test-Path -LiteralPath '$path.done')) { [Threading.Thread]::Sleep(1) }" }

$producerScript = @{
    'queue' = "`$items | Write-SharedMemory -Name $queue"
    'clixml-tmp' = "`$items | Export-Clixml -LiteralPath '$tempFile'; Set-Content -LiteralPath '$tempFile.done' -Value x"
    'clixml-shm' = "`$items | Export-Clixml -LiteralPath '$shmFile'; Set-Content -LiteralPath '$shmFile.done' -Value x"
    'pipe-json' = "`$p = [IO.Pipes.NamedPipeClientStream]::new('.', '$tag', 'Out'); `$p.Connect(60000); `$w = [IO.StreamWriter]::new(`$p); `$items | ForEach-Object { `$w.WriteLine((ConvertTo-Json -InputObject `$_ -Compress)) }; `$w.Dispose()"
    'pipe-clixml' = "`$p = [IO.Pipes.NamedPipeClientStream]::new('.', '$tag', 'Out'); `$p.Connect(60000); `$w = [IO.StreamWriter]::new(`$p); `$items | ForEach-Object { `$w.WriteLine(([Management.Automation.PSSerializer]::Serialize(`$_) -replace '\r?\n', '')) }; `$w.Dispose()"
    'serializer-tmp' = "[IO.File]::WriteAllText('$tempFile', [Management.Automation.PSSerializer]::Serialize(`$items)); Set-Content -LiteralPath '$tempFile.done' -Value x"
    'pwsh-xml' = "Set-Content -LiteralPath '$signal' -Value x"
    'job' = "Set-Content -LiteralPath '$signal' -Value x"
    'floor' = '$items | Out-Null'
}
# What a child of the consumer (pwsh -OutputFormat xml, a job) runs: make the objects, say so, wait for the
# producer's signal, emit them.
$child = "$objects; Set-Content -LiteralPath '$signal.ready' -Value x; while (-not (Test-Path -LiteralPath '$signal')) { [Threading.Thread]::Sleep(1) }; `$items"
$childCommand = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($child))
$pwshArguments = (@($pwsh | Select-Object -Skip 1) | ForEach-Object { "'$_'" }) -join ' '

# Each consumer statement first says it is ready (after any setup a scripter would do ahead), then reads.
$consumerScript = @{
    'queue' = "$init; 'ready'; Read-SharedMemory -Name $queue -Wait | $consume; $summary"
    'clixml-tmp' = "$init; 'ready'; $(& $waitFor $tempFile); Import-Clixml -LiteralPath '$tempFile' | $consume; Remove-Item -LiteralPath '$tempFile', '$tempFile.done'; $summary"
    'clixml-shm' = "$init; 'ready'; $(& $waitFor $shmFile); Import-Clixml -LiteralPath '$shmFile' | $consume; Remove-Item -LiteralPath '$shmFile', '$shmFile.done'; $summary"
    'pipe-json' = "$init; `$s = [IO.Pipes.NamedPipeServerStream]::new('$tag', 'In'); 'ready'; `$s.WaitForConnection(); `$r = [IO.StreamReader]::new(`$s); & { while (`$null -ne (`$l = `$r.ReadLine())) { ConvertFrom-Json -InputObject `$l } } | $consume; `$r.Dispose(); $summary"
    'pipe-clixml' = "$init; `$s = [IO.Pipes.NamedPipeServerStream]::new('$tag', 'In'); 'ready'; `$s.WaitForConnection(); `$r = [IO.StreamReader]::new(`$s); & { while (`$null -ne (`$l = `$r.ReadLine())) { [Management.Automation.PSSerializer]::Deserialize(`$l) } } | $consume; `$r.Dispose(); $summary"
    'serializer-tmp' = "$init; 'ready'; $(& $waitFor $tempFile); [Management.Automation.PSSerializer]::Deserialize([IO.File]::ReadAllText('$tempFile')) | $consume; Remove-Item -LiteralPath '$tempFile', '$tempFile.done'; $summary"
    # The child's output is read as it comes, through the pipeline the consumer starts; the driver knows the
    # child is ready by the file it writes.
    'pwsh-xml' = "$init; & '$($pwsh[0])' $pwshArguments -NoProfile -NonInteractive -OutputFormat xml -EncodedCommand $childCommand | $consume; Remove-Item -LiteralPath '$signal', '$signal.ready'; $summary"
    'job' = "$init; `$job = Start-Job -ScriptBlock ([scriptblock]::Create([Text.Encoding]::Unicode.GetString([Convert]::FromBase64String('$childCommand')))); Receive-Job -Job `$job -Wait -AutoRemoveJob | $consume; Remove-Item -LiteralPath '$signal', '$signal.ready'; $summary"
    'floor' = "$init; 'ready'; `$held | $consume; $summary"
}

$producer = Start-Worker
$consumer = Start-Worker
try {
    Send-Statement $producer "Import-Module '$ModuleManifest'; `$ProgressPreference = 'SilentlyContinue'; $objects; New-SharedMemory -Name $queue -Queue -Size 4MB | Out-Null; 'set'"
    Send-Statement $consumer "Import-Module '$ModuleManifest'; `$ProgressPreference = 'SilentlyContinue'; $($objects -replace '\$items', '$held'); 'set'"
    $null = Wait-Line $producer 'set'
    $null = Wait-Line $consumer 'set'

    $expected = $null
    $times = @{}
    foreach ($method in $methods) { $times[$method] = [Collections.Generic.List[double]]::new() }
    foreach ($round in 0..$Rounds) {
        foreach ($method in $methods) {
            Send-Statement $consumer $consumerScript[$method]
            if ($method -in 'pwsh-xml', 'job') { Wait-File "$signal.ready" } else { $null = Wait-Line $consumer 'ready' }
            $clock = [Diagnostics.Stopwatch]::StartNew()
            Send-Statement $producer "$($producerScript[$method]); 'sent'"
            $result = Wait-Line $consumer 'done'
            $elapsed = $clock.Elapsed.TotalMilliseconds
            $null = Wait-Line $producer 'sent'
            if ($null -eq $expected) { $expected = $result }
            # Every method must deliver every object and the same sum. The types are those CliXml gives back: JSON
            # gives others by design (reported, not failed), the floor's objects never left their process, and a
            # job adds three properties of its own after the object's.
            $same = if ($method -in 'pipe-json', 'floor') { ($result -split ' ')[0..1] -join ' ' -eq (($expected -split ' ')[0..1] -join ' ') }
            elseif ($method -eq 'job') { $result.StartsWith($expected + '/', [StringComparison]::Ordinal) }
            else { $result -eq $expected }
            if (-not $same) { throw "$method delivered '$result', expected '$expected'" }
            if ($round -gt 0) { $times[$method].Add($elapsed) }
            if ($method -eq 'pipe-json' -and $round -eq 1) { $jsonResult = $result }
        }
    }

    $median = @{}
    foreach ($method in $methods) { $median[$method] = Get-Median $times[$method].ToArray() }
    $described = [ordered]@{
        'clixml-tmp' = 'Export-Clixml to a file in the temp folder, then Import-Clixml'
        'clixml-shm' = 'Export-Clixml to a file in /dev/shm, then Import-Clixml'
        'serializer-tmp' = "PSSerializer's text of the array to a file in the temp folder, then Deserialize"
        'pipe-json' = "a named pipe of ConvertTo-Json -Compress lines, each through ConvertFrom-Json (delivered: $jsonResult)"
        'pipe-clixml' = "a named pipe of PSSerializer text, an object a line"
        'pwsh-xml' = 'pwsh -OutputFormat xml, a child of the consumer started before the clock, read as pwsh -InputFormat xml reads it'
        'job' = 'Start-Job + Receive-Job -Wait, the job started before the clock (each object gains PSComputerName, RunspaceId, PSShowComputerName)'
    }
    $suffix = "$($Count.ToString('N0')) objects, one warm pwsh to another (median of $Rounds)"
    "delivered: $expected (count, sum of Size, property types of the last object)"
    foreach ($method in $described.Keys) {
        if ($method -notin $methods) { continue }
        Format-BenchRow 'alternative' "$($described[$method]), $suffix" (Format-Milliseconds $median[$method]) 'the queue' ($median[$method] / $median['queue'])
    }
    $others = @($described.Keys | Where-Object { $_ -in $methods })
    $fastest = $others | Sort-Object { $median[$_] } | Select-Object -First 1
    $queueRow = "Write-SharedMemory into a queue, Read-SharedMemory -Wait in the other pwsh, $suffix"
    Format-BenchRow 'cmdlets' $queueRow (Format-Milliseconds $median['queue']) "fastest other hand-off ($fastest)" ($median[$fastest] / $median['queue']) '≥ 4× faster' ($median[$fastest] / $median['queue'] -ge 4)
    Format-BenchRow 'cmdlets' 'the same queue, against PSSerializer through a temp file' (Format-Milliseconds $median['queue']) 'serializer-tmp' ($median['serializer-tmp'] / $median['queue']) '≥ 3× faster' ($median['serializer-tmp'] / $median['queue'] -ge 3)
    Format-BenchRow 'limit' "the same two scripts with no hand-off: the producer's objects to Out-Null, the consumer over objects it holds (median of $Rounds)" (Format-Milliseconds $median['floor'])
    Format-BenchRow 'cmdlets' 'the same queue, against that floor' (Format-Milliseconds $median['queue']) 'floor' ($median['queue'] / $median['floor']) '≤ 1.5× the floor' ($median['queue'] / $median['floor'] -le 1.5)
}
finally {
    foreach ($worker in $producer, $consumer) {
        if (-not $worker.HasExited) { $worker.Kill() }
        $worker.Dispose()
    }
    Get-Job | Remove-Job -Force
    foreach ($path in "/dev/shm/$queue", "/dev/shm/${queue}_Mutex", $tempFile, "$tempFile.done", $shmFile, "$shmFile.done", $signal, "$signal.ready") {
        if (Test-Path -LiteralPath $path) { Remove-Item -LiteralPath $path -Force }
    }
}
