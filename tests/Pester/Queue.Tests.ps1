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
}
