# What a user sees at the console: completion, views, -WhatIf and -Confirm, -Verbose, progress.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force

    function Get-Completion([string] $Line) {
        (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches.CompletionText
    }

    function Invoke-InRunspace([string] $Script) {
        <# Runs a script in a runspace of its own with the module, and returns its PowerShell object for the streams. #>
        $shell = [powershell]::Create()
        $null = $shell.AddScript("Import-Module '$(Get-TestModuleManifest)'; $Script")
        $null = $shell.Invoke()
        $shell
    }
}

Describe 'Console' {
    BeforeEach { $name = New-TestSegmentName }
    AfterEach { Clear-TestSegment }

    Context 'completion' {
        It 'completes -Name of <Command> with the open segments' -ForEach @(
            @{ Command = 'Read-SharedMemory' }, @{ Command = 'Write-SharedMemory' }, @{ Command = 'Update-SharedMemory' }
            @{ Command = 'Remove-SharedMemory' }, @{ Command = 'Get-SharedMemory' }, @{ Command = 'New-SharedMemory' }
        ) {
            New-SharedMemory -Name $name -Size 64 | Out-Null
            Get-Completion "$Command -Name $($name.Substring(0, $name.Length - 3))" | Should -Contain $name
        }

        It 'completes a segment another process made, from /dev/shm' -Tag LinuxOnly-DevShm {
            # Windows cannot list its named objects, so there only open handles complete.
            $h = New-SharedMemory -Name $name -Size 64
            Invoke-Peer "Get-SharedMemory -Name $name | Out-Null; (TabExpansion2 -inputScript 'Read-SharedMemory -Name $($name.Substring(0, 12))' -cursorColumn $(20 + 12)).CompletionMatches.CompletionText" | Should -Contain $name
        }

        It 'completes the values of -Checksum, -Scope and -Access' {
            Get-Completion 'New-SharedMemory -Name x -Checksum ' | Should -Be @('Crc32', 'LaneSum')
            Get-Completion 'New-SharedMemory -Name x -Scope ' | Should -Be @('Global', 'Local')
            Get-Completion 'New-SharedMemory -Name x -Access ' | Should -Be @('Everyone', 'Group', 'Owner')
        }
    }

    Context 'views' {
        It 'shows a handle as a table of Name, Kind, Size, Used, Messages, Version, Created and Path' {
            $h = New-SharedMemory -Name $name -Size 4096 | Write-SharedMemory -InputObject 'abc' -PassThru
            $table = ($h | Out-String -Width 200) -split '\r?\n' | Where-Object { $_ }
            $table[0] | Should -Match '^Name\s+Kind\s+Size\s+Used\s+Messages\s+Version\s+Created\s+Path'
            $table[2] | Should -Match "^$name\s+Value\s+4096\s+3\s+1\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+\S"
        }

        It 'shows a queue in the table with its bytes and its count of messages in columns of their own' {
            $q = New-SharedMemory -Name $name -Size 4KB -Queue
            'a', 'b' | Write-SharedMemory $q -NoEnd
            $table = ($q | Out-String -Width 200) -split '\r?\n' | Where-Object { $_ }
            $table[2] | Should -Match "^$name\s+Queue\s+4096\s+$($q.UsedBytes)\s+2\s+"
            $table[2] | Should -Not -Match 'msg'
        }

        It 'shows every property in the list view' {
            $h = New-SharedMemory -Name $name -Size 64 -Checksum Crc32
            $list = $h | Format-List | Out-String
            foreach ($property in 'Name', 'Scope', 'Kind', 'Checksum', 'Size', 'UsedBytes', 'Version', 'CreationTime', 'Created', 'Path', 'IsFileBacked', 'LockTimeout', 'IsClosed') {
                $list | Should -Match "(?m)^$property\s*:"
            }
            $list | Should -Match '(?m)^Checksum\s*:\s*Crc32'
        }

        It 'shows the segments on the machine under the same column names, a queue as a queue' -Tag LinuxOnly-DevShm {
            New-SharedMemory -Name $name -Size 300 | Write-SharedMemory -InputObject 'x'
            New-SharedMemory -Name ($name + 'q') -Size 4KB -Queue | Out-Null
            New-SharedMemory -Name ($name + 'r') -Size 100 -Raw | Out-Null
            $table = (Get-SharedMemory -ListAvailable -Name "$name*" | Sort-Object Name | Out-String -Width 200) -split '\r?\n' | Where-Object { $_ }
            $table[0] | Should -Match '^Name\s+Kind\s+Size\s+Version\s+Created\s+Path'
            $when = '\d{4}-\d\d-\d\d \d\d:\d\d:\d\d'
            $table[2] | Should -Match "^$name\s+Value\s+300\s+1\s+$when\s+/dev/shm/$name$"
            $table[3] | Should -Match "^${name}q\s+Queue\s+4096\s+0\s+$when\s+/dev/shm/${name}q$"
            $table[4] | Should -Match "^${name}r\s+Raw\s+100\s+/dev/shm/${name}r$"
            (Get-SharedMemory -ListAvailable -Name ($name + 'q')).Kind | Should -Be 'Queue'
        }
    }

    Context '-WhatIf and -Confirm' {
        It 'changes nothing with -WhatIf: <Command>' -ForEach @(
            @{ Command = 'Write-SharedMemory'; Script = { Write-SharedMemory -Name $name -InputObject 'new' -WhatIf } }
            @{ Command = 'Update-SharedMemory'; Script = { Update-SharedMemory -Name $name -ScriptBlock { 'new' } -WhatIf } }
            @{ Command = 'Remove-SharedMemory'; Script = { Remove-SharedMemory -Name $name -WhatIf } }
        ) {
            $h = New-SharedMemory -Name $name -Size 4096 | Write-SharedMemory -InputObject 'old' -PassThru
            & $Script
            Read-SharedMemory $h | Should -Be 'old'
            $h.Version | Should -Be 1
            $h.IsClosed | Should -BeFalse
            (New-SharedMemory -Name $name -OpenExisting).Created | Should -BeFalse
        }

        It 'asks before removing when $ConfirmPreference is Medium, and -Confirm:$false does not' {
            $h = New-SharedMemory -Name $name -Size 64
            $shell = Invoke-InRunspace "`$h = New-SharedMemory -Name $name -Size 64; `$ConfirmPreference = 'Medium'; Remove-SharedMemory `$h"
            # A runspace without a host cannot ask, so the engine reports that it would have asked.
            $shell.Streams.Error[0].FullyQualifiedErrorId | Should -Match 'HostException|PromptingNotSupported|Remove'
            $shell.Dispose()
            $h.IsClosed | Should -BeFalse
            (New-SharedMemory -Name $name -OpenExisting).Created | Should -BeFalse
            $ConfirmPreference = 'Medium'
            Remove-SharedMemory $h -Confirm:$false
            $h.IsClosed | Should -BeTrue
        }

        It 'declares ConfirmImpact <Impact> for <Command>' -ForEach @(
            @{ Command = 'Remove-SharedMemory'; Impact = 'Medium' }
            @{ Command = 'Write-SharedMemory'; Impact = 'Low' }
            @{ Command = 'Update-SharedMemory'; Impact = 'Low' }
        ) {
            $attribute = (Get-Command $Command).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $true)[0]
            $attribute.SupportsShouldProcess | Should -BeTrue
            $attribute.ConfirmImpact | Should -Be $Impact
        }
    }

    Context '-Verbose' {
        It 'says what Write-SharedMemory stored and Read-SharedMemory read' {
            $h = New-SharedMemory -Name $name -Size 4096
            $verbose = Write-SharedMemory $h -InputObject 'abc' -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
            $verbose.Message | Should -HaveCount 2
            $verbose[0].Message | Should -BeExactly "Replace the value of segment '$name' with 3 bytes (Utf8Text)"
            $verbose[1].Message | Should -BeExactly "Wrote 3 bytes (Utf8Text) to segment '$name'; version is now 1."
            $read = Read-SharedMemory $h -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
            $read.Message | Should -Match $name
        }
    }

    Context 'progress' {
        It 'shows progress while a value of 8 MiB or more is written and read, and completes it' {
            $shell = Invoke-InRunspace "`$h = New-SharedMemory -Name $name -Size 64MB; Write-SharedMemory `$h -InputObject ([byte[]]::new(32MB)); `$null = Read-SharedMemory `$h; Remove-SharedMemory `$h -Confirm:`$false"
            try {
                $shell.HadErrors | Should -BeFalse
                $records = @($shell.Streams.Progress)
                $records.Count | Should -BeGreaterThan 2
                $records.Activity | Select-Object -Unique | Should -HaveCount 2 -Because 'one activity for the write, one for the read'
                ($records | Where-Object RecordType -eq 'Completed').Count | Should -Be 2
                ($records | Where-Object RecordType -eq 'Processing').PercentComplete | Should -Not -BeNullOrEmpty
            }
            finally { $shell.Dispose() }
        }

        It 'shows no progress for a small value' {
            $shell = Invoke-InRunspace "`$h = New-SharedMemory -Name $name -Size 1MB; Write-SharedMemory `$h -InputObject ([byte[]]::new(100KB)); `$null = Read-SharedMemory `$h; Remove-SharedMemory `$h -Confirm:`$false"
            try { @($shell.Streams.Progress).Count | Should -Be 0 } finally { $shell.Dispose() }
        }
    }
}
