# The rows the pwsh measurements print: the benchmark's table format, one Markdown row per line, so that a
# person reads them as they come and bench/PSSharedMemory.Bench adds them to its table unchanged.

function Format-Milliseconds([double] $Milliseconds) {
    $culture = [Globalization.CultureInfo]::InvariantCulture
    if ($Milliseconds -ge 1) { return $Milliseconds.ToString('0.00', $culture) + ' ms' }
    if ($Milliseconds -ge 0.001) { return ($Milliseconds * 1000).ToString('0.00', $culture) + ' µs' }
    ($Milliseconds * 1e6).ToString('0.0', $culture) + ' ns'
}

function Format-BenchRow {
    <# One row: what was measured, its figure, and against what; a target says met or MISSED by -Met. #>
    param(
        [Parameter(Mandatory)] [string] $Group,
        [Parameter(Mandatory)] [string] $What,
        [Parameter(Mandatory)] [string] $Figure,
        [string] $Baseline = '',
        [Nullable[double]] $Ratio = $null,
        [string] $Target = '',
        [Nullable[bool]] $Met = $null
    )
    $ratioText = if ($null -ne $Ratio) { ([double]$Ratio).ToString('0.00', [Globalization.CultureInfo]::InvariantCulture) + '×' } else { '' }
    $targetText = if ($Target) { $Target + $(if ($Met -eq $true) { ' — met' } elseif ($Met -eq $false) { ' — MISSED' } else { '' }) } else { '' }
    "| $Group | $What | $Figure | $Baseline | $ratioText | $targetText |"
}

function Get-Median([double[]] $Values) {
    $sorted = [double[]]($Values | Sort-Object)
    $sorted[[int][Math]::Floor(($sorted.Count - 1) / 2)]
}

Export-ModuleMember -Function Format-Milliseconds, Format-BenchRow, Get-Median
