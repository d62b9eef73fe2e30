# Every reason in about_PSSharedMemory's table of error IDs, raised as a user would meet it and checked
# by its full FullyQualifiedErrorId, its category and its target.

BeforeDiscovery {
    $script:Rows = @(
        @{ Reason = 'NameInvalid'; Category = 'InvalidArgument'; Cmdlet = 'New'; Act = { New-SharedMemory -Name 'a/b' -Size 64 }; Target = { 'a/b' } }
        @{ Reason = 'SizeInvalid'; Category = 'InvalidArgument'; Cmdlet = 'New'; Act = { New-SharedMemory -Name $name -Size 0 }; Target = { 0 } }
        @{ Reason = 'SizeRequired'; Category = 'InvalidArgument'; Cmdlet = 'New'; Act = { New-SharedMemory -Name $name }; Target = { $name } }
        @{ Reason = 'SizeExceedsExisting'; Category = 'InvalidArgument'; Cmdlet = 'New'; Arrange = { New-SharedMemory -Name $name -Size 100 }; Act = { New-SharedMemory -Name $name -Size 200 }; Target = { 200 } }
        @{ Reason = 'OutOfRange'; Category = 'InvalidArgument'; Cmdlet = 'Read'; Arrange = { New-SharedMemory -Name $name -Size 100 -Raw }; Act = { Read-SharedMemory -Name $name -Offset 99 -Count 2 }; Target = { 99 } }
        @{ Reason = 'OutOfRange'; Category = 'InvalidArgument'; Cmdlet = 'Read'; Arrange = { New-SharedMemory -Name $name -Size 100 -Raw }; Act = { Read-SharedMemory -Name $name -Offset 0 -Count 8 -Destination ([byte[]]::new(10)) -DestinationOffset 3 }; Target = { 3 } }
        @{ Reason = 'OutOfRange'; Category = 'InvalidArgument'; Cmdlet = 'Write'; Arrange = { New-SharedMemory -Name $name -Size 100 -Raw }; Act = { Write-SharedMemory -Name $name -Bytes 1, 2 -Offset 99 }; Target = { 99 } }
        @{ Reason = 'FileInvalid'; Category = 'InvalidArgument'; Cmdlet = 'New'; Act = { New-SharedMemory -Name $name -Path $TestDrive -Size 100 }; Target = { $TestDrive } }
        @{ Reason = 'FileInvalid'; Category = 'InvalidArgument'; Cmdlet = 'New'; Act = { New-SharedMemory -Name $name -Path (Join-Path $TestDrive 'no' 'such' 'folder.bin') -Size 100 }; Target = { Join-Path $TestDrive 'no' 'such' 'folder.bin' } }
        @{ Reason = 'AlreadyExists'; Category = 'ResourceExists'; Cmdlet = 'New'; Arrange = { New-SharedMemory -Name $name -Size 64 }; Act = { New-SharedMemory -Name $name -Size 64 -CreateNew }; Target = { Get-NativeName $name } }
        @{ Reason = 'NotFound'; Category = 'ObjectNotFound'; Cmdlet = 'Read'; Act = { Read-SharedMemory -Name $name }; Target = { $name } }
        @{ Reason = 'NotFound'; Category = 'ObjectNotFound'; Cmdlet = 'New'; Act = { New-SharedMemory -Name $name -OpenExisting }; Target = { $name } }
        @{ Reason = 'ValueTooLarge'; Category = 'LimitsExceeded'; Cmdlet = 'Write'; Arrange = { New-SharedMemory -Name $name -Size 1000 }; Act = { Write-SharedMemory -Name $name -InputObject ([byte[]]::new(1001)) }; Target = { $name } }
        @{ Reason = 'LockReentered'; Category = 'DeadlockDetected'; Cmdlet = 'Read'; Arrange = { New-SharedMemory -Name $name -Size 64 }; Act = { $held = (Get-SharedMemory -Name $name).Lock(); try { Read-SharedMemory -Name $name } finally { $held.Dispose() } }; Target = { $name } }
        @{ Reason = 'HandleClosed'; Category = 'InvalidOperation'; Cmdlet = 'Write'; Arrange = { $closed = New-SharedMemory -Name $name -Size 64; $closed.Dispose(); $closed }; Act = { Write-SharedMemory -Handle $arranged -InputObject 1 }; Target = { $name } }
        @{ Reason = 'NotAValueSegment'; Category = 'InvalidOperation'; Cmdlet = 'Read'; Arrange = { New-SharedMemory -Name $name -Size 64 -Raw }; Act = { Read-SharedMemory -Name $name }; Target = { $name } }
        @{ Reason = 'NotAValueSegment'; Category = 'InvalidOperation'; Cmdlet = 'New'; Arrange = { New-SharedMemory -Name $name -Size 64 -Raw }; Act = { New-SharedMemory -Name $name -OpenExisting }; Target = { $name } }
        @{ Reason = 'Corrupted'; Category = 'InvalidData'; Cmdlet = 'Read'; Act = { Read-SharedMemory -Name $name }; Target = { $name }
            # Another program writes over the header through a raw view of the same segment.
            Arrange = { New-SharedMemory -Name $name -Size 4096 | Write-SharedMemory -InputObject 'x'; New-SharedMemory -Name $name -Raw -OpenExisting | Write-SharedMemory -Bytes 7, 0, 0, 0 -Offset 28 } }
        @{ Reason = 'NoInput'; Category = 'InvalidArgument'; Cmdlet = 'Write'; Arrange = { New-SharedMemory -Name $name -Size 64 }; Act = { Get-SharedMemory -Name $name | Write-SharedMemory }; Target = { $name } }
        @{ Reason = 'WrongKind'; Category = 'InvalidOperation'; Cmdlet = 'Update'; Arrange = { New-SharedMemory -Name $name -Size 4KB -Queue }; Act = { Update-SharedMemory -Name $name -ScriptBlock { 1 } }; Target = { $name } }
        @{ Reason = 'WaitTimeout'; Category = 'OperationTimeout'; Cmdlet = 'Read'; Arrange = { New-SharedMemory -Name $name -Size 4KB | Write-SharedMemory -InputObject 1 }; Act = { Read-SharedMemory -Name $name -Wait -Since 1 -TimeoutSeconds 0.2 }; Target = { $name } }
        @{ Reason = 'WaitTimeout'; Category = 'OperationTimeout'; Cmdlet = 'Write'; Arrange = { New-SharedMemory -Name $name -Size 256 -Queue }; Act = { 1..100 | Write-SharedMemory -Name $name -NoEnd -TimeoutSeconds 0.2 }; Target = { $name } }
        @{ Reason = 'QueueNeedsHeader'; Category = 'InvalidArgument'; Cmdlet = 'New'; Act = { New-SharedMemory -Name $name -Size 100 -Queue -Raw }; Target = { $name } }
        @{ Reason = 'ChecksumNeedsHeader'; Category = 'InvalidArgument'; Cmdlet = 'New'; Act = { New-SharedMemory -Name $name -Size 100 -Raw -Checksum Crc32 }; Target = { $name } }
        @{ Reason = 'ChecksumDiffers'; Category = 'InvalidArgument'; Cmdlet = 'New'; Arrange = { New-SharedMemory -Name $name -Size 64 -Checksum Crc32 }; Act = { New-SharedMemory -Name $name -Checksum LaneSum }; Target = { $name } }
        @{ Reason = 'ScriptBlockFailed'; Category = 'OperationStopped'; Cmdlet = 'Update'; Arrange = { New-SharedMemory -Name $name -Size 64 }; Act = { Update-SharedMemory -Name $name -ScriptBlock { throw 'no' } }; Target = { $name } }
    )
    # What only Linux has: /dev/shm objects of its own to plant or fill, /proc files, chown, and shortening a file
    # while another process maps it (Windows refuses that with ERROR_USER_MAPPED_FILE).
    $script:LinuxRows = @(
        @{ Reason = 'AccessDenied'; Category = 'PermissionDenied'; Cmdlet = 'New'; Act = { New-SharedMemory -Name $name -Size 64 }; Target = { Get-NativeName $name }
            # A symbolic link planted under the segment's name is not followed.
            Arrange = { $victim = Join-Path $TestDrive 'victim'; Set-Content $victim 'untouched'; New-Item -ItemType SymbolicLink -Path "/dev/shm/$name" -Target $victim | Out-Null } }
        @{ Reason = 'OutOfSpace'; Category = 'ResourceUnavailable'; Cmdlet = 'New'; Act = { New-SharedMemory -Name $name -Size 16TB }; Target = { Get-NativeName $name } }
        @{ Reason = 'Truncated'; Category = 'InvalidData'; Cmdlet = 'Read'; Act = { Read-SharedMemory -Name $name }; Target = { Join-Path $TestDrive 'data.bin' }
            # Windows refuses to shorten a file while a view of it is mapped; Linux lets another process do it.
            Arrange = { $path = Join-Path $TestDrive 'data.bin'; New-SharedMemory -Name $name -Path $path -Size 5000 | Write-SharedMemory -InputObject 'disk'; $file = [IO.File]::Open($path, 'Open', 'ReadWrite', 'ReadWrite'); try { $file.SetLength(10) } finally { $file.Dispose() } } }
        @{ Reason = 'OtherOwner'; Category = 'PermissionDenied'; Cmdlet = 'New'; Act = { New-SharedMemory -Name $name -Size 64 }; Target = { Get-NativeName $name }
            # As root (CI), plant an object owned by nobody under the name; Clear-TestSegment gives it back to remove it.
            Arrange = { [IO.File]::WriteAllBytes("/dev/shm/$name", [byte[]]::new(4096)); & chown 65534 "/dev/shm/$name"; if ($LASTEXITCODE) { throw 'chown needs root' } } }
        @{ Reason = 'SystemError'; Category = 'NotSpecified'; Cmdlet = 'New'; Act = { New-SharedMemory -Name $name -Path /proc/version -Size 100 }; Target = { '/proc/version' } }
    )
    $script:Covered = @($Rows.Reason) + @($LinuxRows.Reason) + 'LockTimeout', 'Canceled', 'AccessNotSupported' | Sort-Object -Unique
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force

    function Assert-ErrorRecord([scriptblock] $Arrange, [scriptblock] $Act, [string] $Id, [string] $Category, [scriptblock] $Target) {
        # Arrange's output is $arranged for Act; both see the test's $name.
        $arranged = if ($Arrange) { & $Arrange }
        # A failed call leaves the machine as it found it: nothing added to /dev/shm, nothing taken away.
        $before = Get-ShmEntry
        $record = $null
        try { $null = & $Act -ErrorAction Stop } catch { $record = $_ }
        Get-ShmEntry | Should -Be $before
        $record | Should -Not -BeNullOrEmpty -Because 'the call must fail'
        $record.FullyQualifiedErrorId | Should -BeExactly $Id
        $record.CategoryInfo.Category | Should -Be $Category
        $record.TargetObject | Should -Be (& $Target)
        $record.Exception.Message | Should -Not -BeNullOrEmpty
    }
}

Describe 'Error IDs' {
    BeforeEach { $name = New-TestSegmentName }
    AfterEach { Clear-TestSegment }

    It '<Cmdlet>-SharedMemory reports <Reason> as <Category>' -ForEach $Rows {
        Assert-ErrorRecord -Arrange $Arrange -Act $Act -Id "${Cmdlet}SharedMemory$Reason,PSSharedMemory.Commands.${Cmdlet}SharedMemoryCommand" -Category $Category -Target $Target
    }

    It '<Cmdlet>-SharedMemory reports <Reason> as <Category>' -ForEach $LinuxRows -Tag LinuxOnly-Posix {
        Assert-ErrorRecord -Arrange $Arrange -Act $Act -Id "${Cmdlet}SharedMemory$Reason,PSSharedMemory.Commands.${Cmdlet}SharedMemoryCommand" -Category $Category -Target $Target
    }

    It 'reports LockTimeout as OperationTimeout while another process holds the lock' {
        New-SharedMemory -Name $name -Size 64 | Out-Null
        $holder = Start-LockHolder -Name $name
        try {
            $record = $null
            try { Write-SharedMemory -Name $name -InputObject 1 -TimeoutSeconds 0.3 -ErrorAction Stop } catch { $record = $_ }
            $record.FullyQualifiedErrorId | Should -BeExactly 'WriteSharedMemoryLockTimeout,PSSharedMemory.Commands.WriteSharedMemoryCommand'
            $record.CategoryInfo.Category | Should -Be 'OperationTimeout'
            $record.TargetObject | Should -Be $name
        }
        finally { $holder | Stop-Process -Force; $holder.WaitForExit() }
    }

    It 'stops a command waiting for the lock at once, changing nothing (Canceled, which the stopped pipeline never shows)' {
        $h = New-SharedMemory -Name $name -Size 64 | Write-SharedMemory -InputObject 'kept' -PassThru
        $held = $h.Lock()
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddScript("Import-Module '$(Get-TestModuleManifest)'; Write-SharedMemory -Name $name -InputObject 'new' -TimeoutSeconds 60")
            $running = $shell.BeginInvoke()
            Wait-Until { $shell.InvocationStateInfo.State -eq 'Running' }
            Start-Sleep -Milliseconds 300
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $shell.Stop()
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 5
            { $shell.EndInvoke($running) } | Should -Throw -ExceptionType ([System.Management.Automation.MethodInvocationException])
            $shell.InvocationStateInfo.State | Should -Be 'Stopped'
        }
        finally { $held.Dispose(); $shell.Dispose() }
        Read-SharedMemory $h | Should -Be 'kept'
        $h.Version | Should -Be 1
    }

    It 'gives -Access Group on Linux and macOS, and refuses it on Windows as AccessNotSupported' {
        if ($IsWindows) {
            $record = $null
            try { New-SharedMemory -Name $name -Size 64 -Access Group -ErrorAction Stop } catch { $record = $_ }
            $record.FullyQualifiedErrorId | Should -BeExactly 'NewSharedMemoryAccessNotSupported,PSSharedMemory.Commands.NewSharedMemoryCommand'
            $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
        }
        else {
            New-SharedMemory -Name $name -Size 64 -Access Group | Out-Null
            if ($IsLinux) { (Get-Item "/dev/shm/$name").UnixFileMode | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite, GroupRead, GroupWrite') }
        }
    }

    It 'covers every reason about_PSSharedMemory lists' -ForEach @{ Covered = $Covered } {
        $about = Get-Help about_PSSharedMemory | Out-String
        $listed = [regex]::Matches($about, '(?m)^\s*\|\s*([A-Z][A-Za-z]+)\s*\|') | ForEach-Object { $_.Groups[1].Value } | Where-Object { $_ -ne 'Reason' } | Sort-Object -Unique
        $listed.Count | Should -BeGreaterThan 20
        $listed | Should -Be $Covered
    }
}
