using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using PSSharedMemory.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace PSSharedMemory.Tests
{
    /// <summary>
    /// Opening and removing many segments gives back every descriptor, mapping and /dev/shm entry. These
    /// tests count process-wide resources, so they run alone (their own collection, no parallel tests).
    /// </summary>
    [Collection(Name)]
    public sealed class ResourceTests
    {
        public const string Name = "Resources";
        private readonly ITestOutputHelper _output;
        private readonly string _prefix = Names.Unique("res").Substring(0, 24);

        public ResourceTests(ITestOutputHelper output)
        {
            _output = output;
        }

        [Fact]
        public void Ten_thousand_segments_opened_and_removed_leave_no_descriptor_mapping_or_shm_entry()
        {
            const int Count = 10_000;
            // Warm up, so that descriptors the runtime opens once (on first use of a feature) are not counted.
            using (var warmUp = SharedMemorySegment.Open(new SegmentOptions(_prefix + "_w") { Size = 4096 }))
            {
                using (var locked = warmUp.Lock()) locked.WriteValue(PayloadKind.Bytes, new byte[1]);
                warmUp.Remove();
            }

            var before = Settled();
            var open = new List<SharedMemorySegment>(Count);
            for (int i = 0; i < Count; i++)
            {
                var segment = SharedMemorySegment.Open(new SegmentOptions($"{_prefix}_{i}") { Size = 4096 });
                using (var locked = segment.Lock()) locked.WriteValue(PayloadKind.Bytes, BitConverter.GetBytes(i));
                open.Add(segment);
            }

            var during = Snapshot();
            for (int i = 0; i < Count; i++)
            {
                using (var locked = open[i].Lock()) Assert.Equal(i, BitConverter.ToInt32(locked.ReadValue()!.Payload));
                open[i].Remove();
            }

            var after = Snapshot();
            _output.WriteLine($"segments: {Count}; descriptors {before.Fds} -> {during.Fds} -> {after.Fds} (of them on /dev/shm: {during.ShmFds} while open, {after.ShmFds} after); mappings {before.Maps} -> {during.Maps} -> {after.Maps}; /dev/shm entries {before.Shm} -> {during.Shm} -> {after.Shm}");
            Assert.True(during.Maps >= before.Maps + Count, "the segments were not all mapped at once");
            Assert.Equal(before.Shm + (2 * Count), during.Shm);
            // Descriptors are closed as soon as a segment is mapped; the test host itself may open one or two meanwhile.
            Assert.Equal(0, during.ShmFds);
            Assert.Equal(0, after.ShmFds);
            Assert.InRange(after.Fds, before.Fds - 4, before.Fds + 4);
            Assert.Equal(before.Maps, after.Maps);
            Assert.Equal(before.Shm, after.Shm);
        }

        [Fact]
        public void A_thousand_handles_from_the_cmdlets_are_released_by_Remove_Module_and_by_closing_the_runspace()
        {
            using (var warmUp = new PowerShellSession())
            {
                warmUp.Run("New-SharedMemory -Name $p -Size 64 | Remove-SharedMemory -Confirm:$false", new Dictionary<string, object?> { ["p"] = _prefix + "_0" }).AssertNoErrors();
            }

            var before = Snapshot();
            using (var ps = new PowerShellSession())
            {
                var r = ps.Run("1..1000 | ForEach-Object { New-SharedMemory -Name \"$p`_$_\" -Size 4096 | Write-SharedMemory -InputObject $_ }; (Get-SharedMemory).Count; (Read-SharedMemory -Name \"$p`_777\")", new Dictionary<string, object?> { ["p"] = _prefix }).AssertNoErrors();
                Assert.Equal(new object[] { 1000, 777 }, r.Output.Select(o => o.BaseObject));
                ps.Run("Remove-Module PSSharedMemory").AssertNoErrors();
            }

            var afterRemoveModule = Snapshot();
            using (var ps = new PowerShellSession())
            {
                ps.Run("1..1000 | ForEach-Object { New-SharedMemory -Name \"$p`_$_\" -OpenExisting | Out-Null }; (Get-SharedMemory).Count", new Dictionary<string, object?> { ["p"] = _prefix }).AssertNoErrors();
            }

            var afterClose = Snapshot();
            Assert.Equal(2000, afterClose.Shm); // the segments themselves live on until removed
            foreach (int i in Enumerable.Range(1, 1000))
            {
                Names.DeleteSegment($"{_prefix}_{i}");
            }

            _output.WriteLine($"handles: 1000; mappings of the segments {before.Maps} -> after Remove-Module {afterRemoveModule.Maps} -> after closing a runspace {afterClose.Maps}");
            Assert.Equal(0, afterRemoveModule.Maps);
            Assert.Equal(0, afterClose.Maps);
        }

        /// <summary>
        /// A snapshot once the process's descriptor count has stopped moving: earlier tests' undisposed processes
        /// and pipes are closed by finalizers and by reads that end after their child exits, and that must happen
        /// before this test counts, not while it does.
        /// </summary>
        private (int Fds, int ShmFds, int Maps, int Shm) Settled()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var last = Snapshot();
            for (int i = 0; i < 25; i++)
            {
                System.Threading.Thread.Sleep(200);
                var now = Snapshot();
                if (now.Fds == last.Fds) return now;
                last = now;
            }

            return last;
        }

        /// <summary>All descriptors of the process; the descriptors, mappings and /dev/shm entries of this test's segments.</summary>
        private (int Fds, int ShmFds, int Maps, int Shm) Snapshot() =>
            (Directory.GetFileSystemEntries("/proc/self/fd").Length,
             Directory.GetFileSystemEntries("/proc/self/fd").Count(fd => LinkTarget(fd)?.StartsWith("/dev/shm/" + _prefix, StringComparison.Ordinal) == true),
             File.ReadAllLines("/proc/self/maps").Count(l => l.Contains("/dev/shm/" + _prefix, StringComparison.Ordinal)),
             Directory.GetFiles("/dev/shm", _prefix + "*").Length);

        private static string? LinkTarget(string path)
        {
            try
            {
                return new FileInfo(path).LinkTarget;
            }
            catch (IOException)
            {
                return null; // closed while we looked
            }
        }
    }

    [CollectionDefinition(ResourceTests.Name, DisableParallelization = true)]
    public sealed class ResourceCollection
    {
    }
}
