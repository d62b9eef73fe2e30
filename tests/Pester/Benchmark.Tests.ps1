BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    # A row of the benchmark's table, as bench/BenchRows.psm1 prints it.
    $script:Row = '^\| (cmdlets|alternative|limit) \| [^|]+ \| [\d.]+ (ms|µs) \| [^|]* \| ([\d.]+×)? \| [^|]* \|$'
}

Describe 'The benchmark''s pwsh measurements' {
    It 'has a hand-off benchmark between two warm pwsh processes that checks what arrives and leaves nothing behind' {
        $lines = & (Join-Path $PSScriptRoot '../../bench/Measure-HandOff.ps1') -ModuleManifest (Get-TestModuleManifest) -Count 200 -Rounds 1
        $lines[0] | Should -BeLike 'delivered: 200 60300 Int32/String/Int32/DateTime/Deserialized.System.Object`[`]*'
        $rows = @($lines | Where-Object { $_ -like '| *' })
        $expected = if ($IsLinux) { 11 } else { 10 }
        $rows.Count | Should -Be $expected
        @($rows | Where-Object { $_ -match '^\| alternative \| .* \| [\d.]+ ms \| the queue \| [\d.]+× \|  \|$' }).Count | Should -Be ($expected - 4)
        @($rows | Where-Object { $_ -match '^\| cmdlets \| .* \| (≥ 4× faster|≥ 3× faster|≤ 1\.5× the floor) — (met|MISSED) \|$' }).Count | Should -Be 3
        $rows | Where-Object { $_ -like '| alternative | Start-Job*' } | Should -Not -BeNullOrEmpty
        $rows | Where-Object { $_ -like '| alternative | pwsh -OutputFormat xml*' } | Should -Not -BeNullOrEmpty
        Get-ShmEntry | Where-Object { $_ -like 'handoff*' } | Should -BeNullOrEmpty
        Get-ChildItem -LiteralPath ([IO.Path]::GetTempPath()) | Where-Object Name -Match '^handoff\d+' | Should -BeNullOrEmpty
    }

    It 'times single values and streams in one pwsh, with their baselines, and leaves nothing behind' {
        $lines = & (Join-Path $PSScriptRoot '../../bench/Measure-Cmdlets.ps1') -ModuleManifest (Get-TestModuleManifest) -Quick
        $lines | Should -HaveCount 10
        $lines | ForEach-Object { $_ | Should -Match $Row }
        $lines[1] | Should -Match '^\| cmdlets \| Write-SharedMemory \+ Read-SharedMemory of the same object, in pwsh \| .* \| PSSerializer alone \| [\d.]+× \| ≤ 1\.5× — (met|MISSED) \|$'
        Get-SharedMemory -Name 'measure-cmdlets-*' | Should -BeNullOrEmpty
        Get-ShmEntry | Where-Object { $_ -like 'measure-cmdlets-*' } | Should -BeNullOrEmpty
    }

    It 'times a value from one fresh pwsh to the next and the first calls of a fresh pwsh' -Tag 'LinuxOnly-DevShm' {
        $lines = & (Join-Path $PSScriptRoot '../../bench/Measure-Cold.ps1') -ModuleManifest (Get-TestModuleManifest) -Quick
        $lines | Should -HaveCount 4
        $lines | ForEach-Object { $_ | Should -Match $Row }
        $lines[2] | Should -Match '\| Export-Clixml pair \| [\d.]+× \| ≤ 1× the Export-Clixml pair — (met|MISSED) \|$'
        $lines[3] | Should -Match '^\| cmdlets \| first calls in a fresh pwsh, after another module: Import-Module [\d.]+ ms, New- [\d.]+ ms, first Write- [\d.]+ ms, first Read- [\d.]+ ms'
        Get-ShmEntry | Where-Object { $_ -like 'measure-cold-*' } | Should -BeNullOrEmpty
        Get-ChildItem -LiteralPath ([IO.Path]::GetTempPath()) -Filter 'measure-cold-*' | Should -BeNullOrEmpty
    }
}
