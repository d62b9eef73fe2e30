# Shared helpers of the Pester suite. build.ps1 -Task Test sets $env:PSSHAREDMEMORY_MANIFEST to the module it built.

$script:SegmentNames = [System.Collections.Generic.List[string]]::new()
# Get-PwshCommand: how to start another pwsh like this one, shared with build.ps1 and the benchmark scripts.
Import-Module (Join-Path $PSScriptRoot '../../tools/PwshCommand.psm1')

function Get-TestModuleManifest {
    if ($env:PSSHAREDMEMORY_MANIFEST) { return $env:PSSHAREDMEMORY_MANIFEST }
    $built = Get-ChildItem -Path (Join-Path $PSScriptRoot '../../out/PSSharedMemory') -Filter PSSharedMemory.psd1 -Recurse -ErrorAction SilentlyContinue |
        Sort-Object { [version]$_.Directory.Name } -Descending | Select-Object -First 1
    if (-not $built) { throw 'Build the module first: ./build.ps1 -Task Build' }
    $built.FullName
}

function New-TestSegmentName {
    <# A name no other test uses; Clear-TestSegment removes whatever was made under it. #>
    param([string] $Prefix = 'pester')
    $name = '{0}_{1}' -f $Prefix, ([guid]::NewGuid().ToString('N').Substring(0, 16))
    $script:SegmentNames.Add($name)
    $name
}

function Get-NativeName {
    <# The name the operating system knows a segment by: its /dev/shm path on Linux, its Local\ name on Windows. #>
    param([Parameter(Mandatory)] [string] $Name)
    if ($IsWindows) { "Local\$Name" } elseif ($IsLinux) { "/dev/shm/$Name" } else { "/$Name" }
}

function Get-ShmEntry {
    <# The names in /dev/shm (Linux), to compare before and after. #>
    if (-not $IsLinux) { return @() }
    @(Get-ChildItem -LiteralPath '/dev/shm' -Force -Name | Sort-Object)
}

function Clear-TestSegment {
    <#
    Closes this session's handles, removes the segments, and on Linux deletes anything left in /dev/shm
    under a name New-TestSegmentName gave out (a segment, its lock companion, names made from it), so that
    every test leaves /dev/shm as it found it, passed or failed. A lock companion found without its segment
    fails the test after the clean-up: no call of the module may leave one, failed or not.
    #>
    # A file-backed segment's lock file stands in /dev/shm without a segment there, rightly.
    $fileBacked = @(Get-SharedMemory | Where-Object IsFileBacked | ForEach-Object Name)
    Get-SharedMemory | Remove-SharedMemory -Confirm:$false -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
    $orphans = [System.Collections.Generic.List[string]]::new()
    if ($IsLinux) {
        $entries = @($script:SegmentNames | ForEach-Object { Get-ChildItem -LiteralPath '/dev/shm' -Force -Filter "$_*" } | Sort-Object FullName -Unique)
        # A lock file without its segment is what no call may leave, failed or not: the test fails on it.
        foreach ($entry in $entries | Where-Object Name -like '*_Mutex') {
            $segment = $entry.Name -replace '_Mutex$'
            if ($segment -notin $fileBacked -and -not (Test-Path -LiteralPath "/dev/shm/$segment")) { $orphans.Add($entry.Name) }
        }
        foreach ($entry in $entries) {
            # A test may plant an object owned by another user; /dev/shm is sticky, so take it back to remove it.
            if ($entry.User -ne [Environment]::UserName) { & chown ([Environment]::UserName) $entry.FullName }
            Remove-Item -LiteralPath $entry.FullName -Force -ErrorAction SilentlyContinue
        }
    }
    $script:SegmentNames.Clear()
    if ($orphans.Count) { throw "The test left lock files without their segments in /dev/shm: $($orphans -join ', ')" }
}

function Get-PeerArgument {
    param([string] $Script, [switch] $NoModule)
    # A peer's output is read as text: progress would come back as CliXml on its error stream.
    $Script = "`$ProgressPreference = 'SilentlyContinue'; $Script"
    if (-not $NoModule) { $Script = "Import-Module '$(Get-TestModuleManifest)'; $Script" }
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($Script))
    @('-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded)
}

function Invoke-Peer {
    <#
    Runs a script in another pwsh process with the module imported (-NoModule: without) and returns its output
    lines. -NewSession runs it under setsid (Linux).
    #>
    param([Parameter(Mandatory)] [string] $Script, [switch] $NewSession, [switch] $NoModule)
    $pwsh = Get-PwshCommand
    $arguments = @($pwsh | Select-Object -Skip 1) + (Get-PeerArgument $Script -NoModule:$NoModule)
    if ($NewSession) { & setsid $pwsh[0] @arguments } else { & $pwsh[0] @arguments }
    if ($LASTEXITCODE -ne 0) { throw "Peer process failed with exit code $LASTEXITCODE" }
}

function Start-Peer {
    <#
    Starts a script in another pwsh process, in this console (no window of its own on Windows), and returns
    the process: the engine's own, so that stopping it kills the script. -NewSession runs it under setsid (Linux).
    #>
    param([Parameter(Mandatory)] [string] $Script, [string] $OutFile, [switch] $NewSession)
    $pwsh = Get-PwshCommand
    $start = @{ FilePath = $pwsh[0]; ArgumentList = @($pwsh | Select-Object -Skip 1) + (Get-PeerArgument $Script); PassThru = $true; NoNewWindow = $true }
    if ($NewSession) {
        # setsid forks only when it leads a process group; started from here it does not, so it execs pwsh in place.
        $start.ArgumentList = @($start.FilePath) + $start.ArgumentList
        $start.FilePath = (Get-Command setsid -CommandType Application | Select-Object -First 1).Source
    }
    if ($OutFile) { $start.RedirectStandardOutput = $OutFile }
    Start-Process @start
}

function Start-LockHolder {
    <#
    Starts a pwsh that takes the lock of the segment (inside Update-SharedMemory, so its block's output would
    be stored) and keeps it for ten minutes; returns the process once the lock is held. Stop it to abandon the lock.
    #>
    param([Parameter(Mandatory)] [string] $Name)
    $out = Join-Path ([IO.Path]::GetTempPath()) "$Name.holder.txt"
    $holder = Start-Peer -OutFile $out -Script "Update-SharedMemory -Name $Name -ScriptBlock { [Console]::Out.WriteLine('locked'); [Console]::Out.Flush(); Start-Sleep 600; 'never stored' }"
    try { Wait-Until { (Test-Path $out) -and (Get-Content $out -Raw) -match 'locked' } }
    catch { $holder | Stop-Process -Force; throw }
    Remove-Item $out -ErrorAction SilentlyContinue
    $holder
}

function Wait-Until {
    param([Parameter(Mandatory)] [scriptblock] $Condition, [int] $TimeoutSeconds = 60)
    $deadline = [datetime]::UtcNow.AddSeconds($TimeoutSeconds)
    while (-not (& $Condition)) {
        if ([datetime]::UtcNow -gt $deadline) { throw "Timed out waiting for $Condition" }
        Start-Sleep -Milliseconds 20
    }
}

Export-ModuleMember -Function Get-TestModuleManifest, Get-PwshCommand, New-TestSegmentName, Get-NativeName, Get-ShmEntry, Clear-TestSegment, Invoke-Peer, Start-Peer, Start-LockHolder, Wait-Until
