# Runspaces on other threads of one process share a segment as processes do: each call takes the lock.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
}

Describe 'Threads of one process' {
    BeforeEach { $name = New-TestSegmentName; $h = New-SharedMemory -Name $name -Size 4096 | Write-SharedMemory -InputObject 0 -PassThru }
    AfterEach { Clear-TestSegment }

    It 'count exactly from ForEach-Object -Parallel' {
        $manifest = Get-TestModuleManifest
        1..4 | ForEach-Object -ThrottleLimit 4 -Parallel {
            Import-Module $using:manifest
            1..250 | ForEach-Object { Update-SharedMemory -Name $using:name -ScriptBlock { $_ + 1 } }
        }
        Read-SharedMemory $h | Should -Be 1000
    }

    It 'count exactly from Start-ThreadJob jobs' {
        $manifest = Get-TestModuleManifest
        $jobs = 1..3 | ForEach-Object {
            Start-ThreadJob -ThrottleLimit 3 -ScriptBlock {
                param($manifest, $name)
                Import-Module $manifest
                1..200 | ForEach-Object { Update-SharedMemory -Name $name -ScriptBlock { $_ + 1 } }
            } -ArgumentList $manifest, $name
        }
        $jobs | Wait-Job -Timeout 120 | Out-Null
        $jobs.State | Should -Be @('Completed', 'Completed', 'Completed')
        $jobs | Receive-Job -ErrorAction Stop
        $jobs | Remove-Job
        Read-SharedMemory $h | Should -Be 600
    }

    It 'pass a stream from a thread job to this thread through a queue' {
        $manifest = Get-TestModuleManifest
        $queue = $name + 'q'
        New-SharedMemory -Name $queue -Size 16KB -Queue | Out-Null
        $job = Start-ThreadJob -ScriptBlock {
            param($manifest, $queue)
            Import-Module $manifest
            1..500 | ForEach-Object { [pscustomobject]@{ N = $_; Square = $_ * $_ } } | Write-SharedMemory -Name $queue
        } -ArgumentList $manifest, $queue
        $got = Read-SharedMemory -Name $queue -Wait -TimeoutSeconds 60
        $job | Wait-Job | Receive-Job -ErrorAction Stop
        $job | Remove-Job
        $got.Count | Should -Be 500
        $got[499].Square | Should -Be 250000
        $got[0].N | Should -BeOfType [int]
    }

    It 'make a thread wait for the lock another thread holds, then go on' {
        $manifest = Get-TestModuleManifest
        $held = $h.Lock()
        $job = Start-ThreadJob -ScriptBlock {
            param($manifest, $name)
            Import-Module $manifest
            $clock = [Diagnostics.Stopwatch]::StartNew()
            Write-SharedMemory -Name $name -InputObject 'from the job' -TimeoutSeconds 30
            $clock.Elapsed.TotalMilliseconds
        } -ArgumentList $manifest, $name
        Start-Sleep -Milliseconds 700
        $job.State | Should -Be 'Running'
        $held.Dispose()
        $waited = $job | Wait-Job -Timeout 60 | Receive-Job -ErrorAction Stop
        $job | Remove-Job
        $waited | Should -BeGreaterThan 400
        Read-SharedMemory $h | Should -Be 'from the job'
    }
}
