<#
.SYNOPSIS
    Times raw writes and reads of a large range through the cmdlets, in pwsh as a script runs them, against
    the copies any reader of that many bytes pays.
.DESCRIPTION
    On a raw segment of -SizeMB MiB, each round times, in turns: Write-SharedMemory -Bytes of the whole range;
    Read-SharedMemory -Count into a new array (what the plain read returns); Read-SharedMemory -Destination
    into one array made before; and two floors in the same process, a copy into a new array and a copy into
    an array made before ([Buffer]::BlockCopy). The first -WarmUp rounds are left out; the median of the
    rest is printed, with each read as a ratio to the write and to its floor.

    A new array of that size costs the operating system's first touch of every page, which is most of the
    plain read and the reason -Destination exists.
.EXAMPLE
    dotnet pwsh -NoProfile -c 'Import-Module ./out/PSSharedMemory/0.1.0/PSSharedMemory.psd1; ./bench/Measure-RawRead.ps1'
#>
param(
    [ValidateRange(1, 4096)][int] $SizeMB = 64,
    [ValidateRange(1, 1000)][int] $Rounds = 9,
    [ValidateRange(0, 1000)][int] $WarmUp = 2
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module (Join-Path $PSScriptRoot 'BenchRows.psm1')
$length = $SizeMB * 1MB
$segment = New-SharedMemory -Name ('measure-raw-' + [Diagnostics.Process]::GetCurrentProcess().Id) -Size $length -Raw
try {
    $data = [byte[]]::new($length)
    $data[$length - 1] = 7
    $into = [byte[]]::new($length)
    $times = [ordered]@{ write = @(); read = @(); readInto = @(); copyNew = @(); copyInto = @() }
    $clock = [Diagnostics.Stopwatch]::new()
    foreach ($round in 1..($WarmUp + $Rounds)) {
        $measured = [ordered]@{}
        $clock.Restart(); Write-SharedMemory -Handle $segment -Bytes $data -Offset 0; $measured.write = $clock.Elapsed.TotalMilliseconds
        $clock.Restart(); $fresh = Read-SharedMemory -Handle $segment -Offset 0 -Count $length; $measured.read = $clock.Elapsed.TotalMilliseconds
        if ($fresh[$length - 1] -ne 7) { throw 'the plain read did not return the bytes written' }
        $clock.Restart(); Read-SharedMemory -Handle $segment -Offset 0 -Count $length -Destination $into; $measured.readInto = $clock.Elapsed.TotalMilliseconds
        if ($into[$length - 1] -ne 7) { throw 'the read into -Destination did not fill it' }
        $fresh = $null
        $clock.Restart(); $copy = [byte[]]::new($length); [Buffer]::BlockCopy($data, 0, $copy, 0, $length); $measured.copyNew = $clock.Elapsed.TotalMilliseconds
        $copy = $null
        $clock.Restart(); [Buffer]::BlockCopy($data, 0, $into, 0, $length); $measured.copyInto = $clock.Elapsed.TotalMilliseconds
        if ($round -gt $WarmUp) { foreach ($key in $measured.Keys) { $times[$key] += $measured[$key] } }
    }

    $median = [ordered]@{}
    foreach ($key in $times.Keys) { $median[$key] = Get-Median $times[$key] }
    $rows = @(
        [pscustomobject]@{ What = "Write-SharedMemory -Bytes, $SizeMB MiB"; Ms = $median.write; Against = ''; Ratio = '' }
        [pscustomobject]@{ What = 'Read-SharedMemory -Count (a new array)'; Ms = $median.read; Against = 'write'; Ratio = $median.read / $median.write }
        [pscustomobject]@{ What = 'Read-SharedMemory -Count -Destination'; Ms = $median.readInto; Against = 'write'; Ratio = $median.readInto / $median.write }
        [pscustomobject]@{ What = 'floor: BlockCopy into a new array'; Ms = $median.copyNew; Against = ''; Ratio = '' }
        [pscustomobject]@{ What = 'floor: BlockCopy into an array made before'; Ms = $median.copyInto; Against = ''; Ratio = '' }
        [pscustomobject]@{ What = 'Read-SharedMemory -Count, against its floor'; Ms = $median.read; Against = 'new-array copy'; Ratio = $median.read / $median.copyNew }
        [pscustomobject]@{ What = 'Read-SharedMemory -Destination, against its floor'; Ms = $median.readInto; Against = 'copy into array'; Ratio = $median.readInto / $median.copyInto }
    )
    $rows | ForEach-Object { '{0,-52} {1,9:n2} ms {2,16} {3}' -f $_.What, $_.Ms, $_.Against, $(if ($_.Ratio -ne '') { '{0:n2}x' -f $_.Ratio }) }
    "median of $Rounds rounds after $WarmUp, pwsh $($PSVersionTable.PSVersion) on $([Environment]::ProcessorCount) cores"
}
finally {
    Remove-SharedMemory -Handle $segment -Confirm:$false
}
