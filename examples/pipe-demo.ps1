<#
.SYNOPSIS
    Two PowerShell processes pipe objects to each other through a shared memory segment.
.DESCRIPTION
    This process describes the files of the repository as objects and writes them into a segment as one
    value. A second PowerShell process, started here, reads them back with their types intact, filters
    them, and sends its answer back through the same segment with Update-SharedMemory.
    Run it with pwsh: ./build.ps1 -Task Demo builds the module and runs this script in a fresh pwsh (on a
    machine with only the .NET SDK: dotnet tool restore, then dotnet pwsh ./build.ps1 -Task Demo). With the
    module imported already, ./examples/pipe-demo.ps1 runs it as it is.
#>
$ErrorActionPreference = 'Stop'
if (-not (Get-Module PSSharedMemory)) {
    $built = if ($env:PSSHAREDMEMORY_MANIFEST) { $env:PSSHAREDMEMORY_MANIFEST } else { Join-Path $PSScriptRoot '../out/PSSharedMemory/*/PSSharedMemory.psd1' | Resolve-Path | Select-Object -Last 1 }
    Import-Module $built
}
$name = "pipe_demo_$PID"
$manifest = Join-Path (Split-Path ([PSSharedMemory.SharedMemorySegment].Assembly.Location)) 'PSSharedMemory.psd1'

$segment = New-SharedMemory -Name $name -Size 1MB
# Whatever happens below, the segment goes with the demo: a failed run leaves nothing in /dev/shm.
try {
    Get-ChildItem -Path (Join-Path $PSScriptRoot '..') -File |
        ForEach-Object { [pscustomobject]@{ Name = $_.Name; Length = $_.Length; Modified = $_.LastWriteTime } } |
        Write-SharedMemory -Handle $segment
    "[$PID] wrote $(@(Read-SharedMemory $segment).Count) file objects to segment '$name' (version $($segment.Version))"

    # The consumer: a PowerShell like this one. pwsh installed as a dotnet tool runs as dotnet with pwsh.dll.
    $consumer = @"
Import-Module '$manifest'
`$files = Read-SharedMemory -Name $name
`$big = `$files | Where-Object Length -gt 1000 | Sort-Object Length -Descending
"[`$PID] read `$(`$files.Count) objects; the largest is `$(`$big[0].Name) (`$(`$big[0].Length) bytes), last changed `$(`$big[0].Modified.GetType().Name) `$(`$big[0].Modified)"
Update-SharedMemory -Name $name -ScriptBlock { [pscustomobject]@{ AnsweredBy = `$PID; LargeFiles = @(`$big.Name) } }
"@
    $executable = [Environment]::ProcessPath
    $arguments = [Collections.Generic.List[string]]::new()
    if ((Split-Path $executable -Leaf) -like 'dotnet*') { $arguments.Add([Environment]::GetCommandLineArgs()[0]) }
    if ($Host.Name -eq 'ConsoleHost') { $arguments.AddRange([string[]]('-NoProfile', '-NonInteractive')) }
    $arguments.Add('-Command')
    $arguments.Add($consumer)
    $start = [Diagnostics.ProcessStartInfo]::new($executable, $arguments)
    $start.RedirectStandardOutput = $true
    $process = [Diagnostics.Process]::Start($start)
    $process.StandardOutput.ReadToEnd().TrimEnd()
    $process.WaitForExit()

    $answer = Read-SharedMemory $segment
    "[$PID] the consumer (process $($answer.AnsweredBy)) answered through the segment: $($answer.LargeFiles -join ', ')"
}
finally {
    Remove-SharedMemory $segment -Confirm:$false
}
