# Shared helpers of the Pester suite. build.ps1 -Task Test sets $env:PSSHAREDMEMORY_MANIFEST to the module it built.

function Get-TestModuleManifest {
    if ($env:PSSHAREDMEMORY_MANIFEST) { return $env:PSSHAREDMEMORY_MANIFEST }
    $built = Get-ChildItem -Path (Join-Path $PSScriptRoot '../../out/PSSharedMemory') -Filter PSSharedMemory.psd1 -Recurse -ErrorAction SilentlyContinue |
        Sort-Object { [version]$_.Directory.Name } -Descending | Select-Object -First 1
    if (-not $built) { throw 'Build the module first: ./build.ps1 -Task Build' }
    $built.FullName
}

function New-TestSegmentName {
    param([string] $Prefix = 'pester')
    '{0}_{1}' -f $Prefix, ([guid]::NewGuid().ToString('N').Substring(0, 16))
}

function Invoke-Peer {
    <# Runs a script in another pwsh process with the module imported; returns its output lines. #>
    param([Parameter(Mandatory)] [string] $Script, [switch] $NewSession)
    $manifest = Get-TestModuleManifest
    $command = "Import-Module '$manifest'; $Script"
    $pwsh = (Get-Process -Id $PID).Path
    if ($NewSession) { & setsid $pwsh -NoProfile -NonInteractive -Command $command } else { & $pwsh -NoProfile -NonInteractive -Command $command }
    if ($LASTEXITCODE -ne 0) { throw "Peer process failed with exit code $LASTEXITCODE" }
}

function Start-Peer {
    <# Starts a script in another pwsh process (with -NewSession, under setsid) and returns the process. #>
    param([Parameter(Mandatory)] [string] $Script, [string] $OutFile, [switch] $NewSession)
    $manifest = Get-TestModuleManifest
    $pwsh = (Get-Process -Id $PID).Path
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes("Import-Module '$manifest'; $Script"))
    $arguments = @('-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded)
    $start = @{ FilePath = $pwsh; ArgumentList = $arguments; PassThru = $true }
    if ($NewSession) { $start.FilePath = 'setsid'; $start.ArgumentList = @($pwsh) + $arguments }
    if ($OutFile) { $start.RedirectStandardOutput = $OutFile }
    Start-Process @start
}

function Wait-Until {
    param([Parameter(Mandatory)] [scriptblock] $Condition, [int] $TimeoutSeconds = 60)
    $deadline = [datetime]::UtcNow.AddSeconds($TimeoutSeconds)
    while (-not (& $Condition)) {
        if ([datetime]::UtcNow -gt $deadline) { throw "Timed out waiting for $Condition" }
        Start-Sleep -Milliseconds 20
    }
}

Export-ModuleMember -Function Get-TestModuleManifest, New-TestSegmentName, Invoke-Peer, Start-Peer, Wait-Until
