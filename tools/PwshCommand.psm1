# How to start another pwsh like the one running: used by build.ps1, the Pester suite's helpers and bench/.

function Get-PwshCommand {
    <#
    How to start another pwsh like this one, as an array: the program, then the arguments that come before
    pwsh's own. A package install and Windows have a pwsh executable in $PSHOME; the dotnet tool runs
    pwsh.dll under dotnet (its pwsh is a launcher that starts that as a child), so the engine is started
    directly and the process returned is the one that runs the script.
    #>
    $executable = Join-Path $PSHOME $(if ($IsWindows) { 'pwsh.exe' } else { 'pwsh' })
    if (Test-Path -LiteralPath $executable -PathType Leaf) { return , @($executable) }
    $dll = Join-Path $PSHOME 'pwsh.dll'
    if (-not (Test-Path -LiteralPath $dll)) { throw "No pwsh in $PSHOME" }
    , @((Get-Process -Id $PID).Path, $dll)
}

function Invoke-Pwsh {
    <#
    Runs another pwsh like this one in the foreground with the arguments given (pwsh's own, such as -NoProfile
    and -File); its output is this function's, and $LASTEXITCODE its exit code.
    #>
    $pwsh = Get-PwshCommand
    & $pwsh[0] @($pwsh | Select-Object -Skip 1) @args
}

Export-ModuleMember -Function Get-PwshCommand, Invoke-Pwsh
