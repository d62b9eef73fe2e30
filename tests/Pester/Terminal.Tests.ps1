# A real pwsh console, driven through tmux as a user types: what only shows in a terminal.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force

    function Send-Keys([string[]] $Keys) { & tmux send-keys -t $session @Keys }
    function Get-Screen { (& tmux capture-pane -p -t $session) -join "`n" }
    function Wait-Screen([string] $Pattern) {
        try { Wait-Until { (Get-Screen) -match $Pattern } -TimeoutSeconds 20 }
        catch { throw "The console did not show /$Pattern/ in 20 s; it shows:`n$(Get-Screen)" }
    }
}

# tmux gives a terminal on Linux; Windows consoles are not driven this way here.
Describe 'In a pwsh console' -Tag LinuxOnly-Tmux {
    BeforeAll {
        $session = 'pester' + [guid]::NewGuid().ToString('N').Substring(0, 8)
        $pwsh = (Get-PwshCommand | ForEach-Object { "'$_'" }) -join ' '
        $start = "$pwsh -NoProfile -NoExit -Command `"Import-Module '$(Get-TestModuleManifest)'; `$ProgressPreference = 'SilentlyContinue'; 'ready'`""
        & tmux new-session -d -s $session -x 160 -y 50 $start
        Wait-Screen '(?m)^ready'
    }
    AfterAll { & tmux kill-session -t $session }
    BeforeEach {
        $name = New-TestSegmentName
        $h = New-SharedMemory -Name $name -Size 4KB | Write-SharedMemory -InputObject 'kept' -PassThru
        Send-Keys 'Clear-Host', 'Enter'
        # A clear screen with only the prompt: the console is idle, and what the test types starts afresh.
        Wait-Until { (Get-Screen).Trim() -match '^PS [^\n]*>$' } -TimeoutSeconds 20
    }
    AfterEach { Clear-TestSegment }

    It 'completes a segment name with Tab' {
        Send-Keys "Read-SharedMemory -Name $($name.Substring(0, $name.Length - 4))", 'Tab'
        Wait-Screen "Read-SharedMemory -Name $name"
        Send-Keys 'Enter'
        Wait-Screen '(?m)^kept'
    }

    It 'asks before -Confirm removes, and N keeps the segment' {
        Send-Keys "Remove-SharedMemory -Name $name -Confirm", 'Enter'
        Wait-Screen "Remove shared memory segment '$name'.*\n.*\[N\] No"
        Send-Keys 'N', 'Enter'
        Send-Keys "'after: ' + (Read-SharedMemory -Name $name)", 'Enter'
        Wait-Screen '(?m)^after: kept'
        (New-SharedMemory -Name $name -OpenExisting).Created | Should -BeFalse
    }

    It 'says what -WhatIf would remove, a queue as a queue' {
        $queue = $name + 'q'
        New-SharedMemory -Name $queue -Size 4KB -Queue | Out-Null
        Send-Keys "Remove-SharedMemory -Name $queue -WhatIf", 'Enter'
        Wait-Screen "What if: Remove shared memory segment '$queue' \(4096 bytes, Queue\)"
        (New-SharedMemory -Name $queue -OpenExisting).Kind | Should -Be 'Queue'
    }

    It 'stops a -Wait read with Ctrl+C and gives the prompt back' {
        Send-Keys "Read-SharedMemory -Name $name -Wait; 'not reached'", 'Enter'
        Start-Sleep -Seconds 1
        Send-Keys 'C-c'
        Send-Keys "'prompt is back'", 'Enter'
        Wait-Screen '(?m)^prompt is back'
        Get-Screen | Should -Not -Match '(?m)^not reached'
        Read-SharedMemory $h | Should -Be 'kept'
    }

    It 'shows the handle New-SharedMemory returns as a table' {
        Send-Keys "New-SharedMemory -Name $name -OpenExisting", 'Enter'
        Wait-Screen "(?m)^$name\s+Value\s+4096"
        Get-Screen | Should -Match '(?m)^Name\s+Kind\s+Size\s+Used\s+Messages\s+Version\s+Created\s+Path'
    }
}
