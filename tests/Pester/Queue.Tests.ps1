BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $script:WriteId = ',PSSharedMemory.Commands.WriteSharedMemoryCommand'
    $script:ReadId = ',PSSharedMemory.Commands.ReadSharedMemoryCommand'
}

Describe 'Queues and -Wait' {
    BeforeEach { $name = New-TestSegmentName }
    AfterEach { Clear-TestSegment }

    It 'delivers every message once, in order' {
        $q = New-SharedMemory -Name $name -Size 64KB -Queue
        1..100 | Write-SharedMemory -Name $name
        $q.MessageCount | Should -Be 101
        Read-SharedMemory -Name $name | Should -Be (1..100)
        $q.MessageCount | Should -Be 0
    }

    It 'reads messages while another handle holds the lock, since a take needs none' {
        $q = New-SharedMemory -Name $name -Size 4KB -Queue
        'a', 'b' | Write-SharedMemory $q -NoEnd
        $other = New-SharedMemory -Name $name -OpenExisting
        $locked = $other.Lock()
        try {
            Read-SharedMemory $q -TimeoutSeconds 0 | Should -Be @('a', 'b')
        }
        finally {
            $locked.Dispose()
        }
    }

    It 'records the kind, so openers need not repeat it' {
        New-SharedMemory -Name $name -Size 4KB -Queue | Out-Null
        (New-SharedMemory -Name $name -OpenExisting).Kind | Should -Be 'Queue'
    }

    It 'refuses a message larger than the ring' {
        $q = New-SharedMemory -Name $name -Size 1KB -Queue
        { Write-SharedMemory $q -InputObject ([byte[]]::new(2000)) -NoEnd -ErrorAction Stop } | Should -Throw -ErrorId ('WriteSharedMemoryValueTooLarge' + $WriteId)
        $q.MessageCount | Should -Be 0
    }

    It 'stops a stream whose queue stays full' {
        $q = New-SharedMemory -Name $name -Size 256 -Queue
        { 1..100 | Write-SharedMemory $q -TimeoutSeconds 0.3 -NoEnd -ErrorAction Stop } | Should -Throw -ErrorId ('WriteSharedMemoryWaitTimeout' + $WriteId)
    }

    It 'times out a wait on an open stream after its messages' {
        $q = New-SharedMemory -Name $name -Size 4KB -Queue
        'a', 'b' | Write-SharedMemory $q -NoEnd
        $received = [System.Collections.Generic.List[object]]::new()
        { Read-SharedMemory $q -Wait -TimeoutSeconds 0.3 -ErrorAction Stop | ForEach-Object { $received.Add($_) } } | Should -Throw -ErrorId ('ReadSharedMemoryWaitTimeout' + $ReadId)
        $received.ToArray() | Should -Be @('a', 'b')
    }

    It 'pipes a stream from one PowerShell process to another' {
        New-SharedMemory -Name $name -Size 1MB -Queue | Out-Null
        $producer = Start-Peer -Script "1..5000 | ForEach-Object { `"line `$_`" } | Write-SharedMemory -Name $name"
        $lines = Read-SharedMemory -Name $name -Wait -TimeoutSeconds 120
        $producer.WaitForExit()
        $lines.Count | Should -Be 5000
        $lines[0] | Should -Be 'line 1'
        $lines[-1] | Should -Be 'line 5000'
    }

    It 'waits for the next value another process writes' {
        $h = New-SharedMemory -Name $name -Size 4KB | Write-SharedMemory -InputObject 'old' -PassThru
        Read-SharedMemory $h | Out-Null
        $writer = Start-Peer -Script "Start-Sleep -Milliseconds 500; Write-SharedMemory -Name $name -InputObject 'new'"
        Read-SharedMemory $h -Wait -TimeoutSeconds 60 | Should -Be 'new'
        $writer.WaitForExit()
    }

    It 'makes a producer wait while the queue is full, and lose nothing (back-pressure)' {
        # A 4 KiB ring holds a few dozen of these messages; the producer must wait for the consumer 50 times over.
        New-SharedMemory -Name $name -Size 4KB -Queue | Out-Null
        $producer = Start-Peer -Script "1..2000 | ForEach-Object { 'message {0:d5} {1}' -f `$_, ('.' * 40) } | Write-SharedMemory -Name $name -TimeoutSeconds 120"
        Wait-Until { (Get-SharedMemory -Name $name).MessageCount -gt 0 }
        Start-Sleep -Milliseconds 500
        $q = Get-SharedMemory -Name $name
        $q.FreeBytes | Should -BeLessThan 100 -Because 'the producer has filled the ring and waits'
        $producer.HasExited | Should -BeFalse
        $got = Read-SharedMemory -Name $name -Wait -TimeoutSeconds 120
        $producer.WaitForExit()
        $producer.ExitCode | Should -Be 0
        $got.Count | Should -Be 2000
        $got[0] | Should -BeLike 'message 00001 *'
        $got[-1] | Should -BeLike 'message 02000 *'
        ($got | Sort-Object -Unique).Count | Should -Be 2000
    }

    It 'ends a -Wait read at the end of the stream, and -NoEnd leaves the stream open' {
        $q = New-SharedMemory -Name $name -Size 4KB -Queue
        'a', 'b' | Write-SharedMemory $q -NoEnd
        'c' | Write-SharedMemory $q
        $q.MessageCount | Should -Be 4 -Because 'three messages and the end mark'
        Read-SharedMemory $q -Wait -TimeoutSeconds 5 | Should -Be @('a', 'b', 'c')
        $q.MessageCount | Should -Be 0
    }

    It 'delivers each message to exactly one of two consumers in other processes' {
        New-SharedMemory -Name $name -Size 64KB -Queue | Out-Null
        $outs = 1..2 | ForEach-Object { Join-Path $TestDrive "consumer$_.txt" }
        $consumers = $outs | ForEach-Object { Start-Peer -OutFile $_ -Script "Read-SharedMemory -Name $name -Wait -TimeoutSeconds 120" }
        1..1000 | Write-SharedMemory -Name $name -NoEnd
        # One end mark per consumer: each ends its -Wait at the first it takes.
        Write-SharedMemory -Name $name -InputObject 'end-a'
        Write-SharedMemory -Name $name -InputObject 'end-b'
        $consumers | ForEach-Object { $_.WaitForExit(); $_.ExitCode | Should -Be 0 }
        $taken = @($outs | ForEach-Object { Get-Content $_ }) | Where-Object { $_ -notlike 'end-*' } | ForEach-Object { [int]$_ }
        $taken.Count | Should -Be 1000
        ($taken | Sort-Object -Unique).Count | Should -Be 1000
    }

    It 'refuses a value operation on a queue and a message on a value segment' {
        $q = New-SharedMemory -Name $name -Size 4KB -Queue
        { Update-SharedMemory $q { 1 } -ErrorAction Stop } | Should -Throw -ErrorId 'UpdateSharedMemoryWrongKind,PSSharedMemory.Commands.UpdateSharedMemoryCommand'
        $q.MessageCount | Should -Be 0
    }
}
