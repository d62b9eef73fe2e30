using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using PSSharedMemory.Tests.Infrastructure;
using Xunit;

namespace PSSharedMemory.Tests
{
    /// <summary>
    /// A second, unprivileged user of the machine, created for the test when it runs as root: what it can
    /// and cannot do to our segments, and what it cannot make us do by planting objects under our names.
    /// </summary>
    public sealed class OtherUserTests : SegmentTest
    {
        private const string OtherUserName = "pssm_other";
        private static readonly Lazy<string?> Unavailable = new(PrepareOtherUser);
        private static readonly Lazy<string> WorkerCopy = new(CopyWorkerForOtherUser);

        public OtherUserTests()
            : base("usr")
        {
        }

        [SkippableFact]
        public void An_owner_only_segment_cannot_be_read_locked_opened_or_unlinked_by_another_user()
        {
            SkipUnlessOtherUser();
            Run("New-SharedMemory -Name $name -Size 4096 | Write-SharedMemory -InputObject 'secret'").AssertNoErrors();
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Names.ShmPath(SegmentName)));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Names.ShmPath(SegmentName) + "_Mutex"));
            var report = AsOtherUser("probe", SegmentName, "allow");
            Assert.Equal("AccessDenied", report["read-file"]);
            Assert.Equal("AccessDenied", report["open-lock-file"]);
            Assert.Equal("AccessDenied", report["open"]);
            Assert.Equal("denied", report["unlink"]);
            Assert.Equal("secret", Run("Read-SharedMemory -Name $name").AssertNoErrors().Single);
        }

        [SkippableFact]
        public void A_segment_shared_with_everyone_is_usable_by_another_user_who_accepts_it()
        {
            SkipUnlessOtherUser();
            Run("New-SharedMemory -Name $name -Size 4096 -Access Everyone | Write-SharedMemory -InputObject 'shared'").AssertNoErrors();
            Assert.Equal((UnixFileMode)Convert.ToInt32("666", 8), File.GetUnixFileMode(Names.ShmPath(SegmentName)));
            Assert.Equal((UnixFileMode)Convert.ToInt32("666", 8), File.GetUnixFileMode(Names.ShmPath(SegmentName) + "_Mutex"));

            var refusing = AsOtherUser("probe", SegmentName);
            Assert.Equal("OtherOwner", refusing["open"]);
            var accepting = AsOtherUser("probe", SegmentName, "allow");
            Assert.Equal("ok", accepting["open"]);
            Assert.Equal("6", accepting["lock-and-read"]); // "shared" in UTF-8
        }

        [SkippableFact]
        public void Group_access_gives_mode_0660()
        {
            SkipUnlessOtherUser();
            Run("New-SharedMemory -Name $name -Size 64 -Access Group | Out-Null").AssertNoErrors();
            Assert.Equal((UnixFileMode)Convert.ToInt32("660", 8), File.GetUnixFileMode(Names.ShmPath(SegmentName)));
        }

        [SkippableFact]
        public void An_object_planted_under_our_name_by_another_user_is_refused_and_left_untouched()
        {
            SkipUnlessOtherUser();
            AsOtherUser("plant", SegmentName);
            var r = Run("New-SharedMemory -Name $name -Size 4096; Write-SharedMemory -Name $name -InputObject 'secret'");
            Assert.Equal("NewSharedMemoryOtherOwner,PSSharedMemory.Commands.NewSharedMemoryCommand | WriteSharedMemoryOtherOwner,PSSharedMemory.Commands.WriteSharedMemoryCommand", r.ErrorIds);
            Assert.Equal(System.Management.Automation.ErrorCategory.PermissionDenied, r.Errors[0].CategoryInfo.Category);
            Assert.All(File.ReadAllBytes(Names.ShmPath(SegmentName)), b => Assert.Equal(0, b));
        }

        [Fact]
        public void A_symbolic_link_under_our_name_is_not_followed()
        {
            string victim = Path.Combine(Path.GetTempPath(), SegmentName + ".victim");
            File.WriteAllText(victim, "untouched");
            File.CreateSymbolicLink(Names.ShmPath(SegmentName), victim);
            try
            {
                var r = Run("New-SharedMemory -Name $name -Size 4096 | Write-SharedMemory -InputObject 'x'");
                Assert.Equal("NewSharedMemoryAccessDenied,PSSharedMemory.Commands.NewSharedMemoryCommand", r.ErrorIds);
                Assert.Equal("untouched", File.ReadAllText(victim));
            }
            finally
            {
                File.Delete(victim);
            }
        }

        private static void SkipUnlessOtherUser() => Skip.If(Unavailable.Value is not null, Unavailable.Value);

        private static Dictionary<string, string> AsOtherUser(params string[] arguments)
        {
            var all = new List<string> { "-u", OtherUserName, "--", "env", "HOME=/tmp", "DOTNET_CLI_TELEMETRY_OPTOUT=1", "dotnet", Path.Combine(WorkerCopy.Value, "PSSharedMemory.TestWorker.dll") };
            all.AddRange(arguments);
            using var process = ChildProcess.Start("runuser", all);
            process.WaitForExit(ChildProcess.DefaultTimeout);
            Assert.True(process.ExitCode == 0, process.Stderr);
            return process.OutputLines.Where(l => l.Contains(": ", StringComparison.Ordinal)).ToDictionary(l => l[..l.IndexOf(": ", StringComparison.Ordinal)], l => l[(l.IndexOf(": ", StringComparison.Ordinal) + 2)..]);
        }

        private static string? PrepareOtherUser()
        {
            if (Environment.UserName != "root") return "The other-user tests create a second user and need root; this run is not root.";
            if (!File.Exists("/usr/sbin/useradd") || !File.Exists("/usr/sbin/runuser")) return "useradd or runuser is missing, so no second user can be made.";
            using (var check = ChildProcess.Start("id", new[] { OtherUserName }))
            {
                check.WaitForExit(TimeSpan.FromSeconds(30));
                if (check.ExitCode == 0) return null;
            }

            using var add = ChildProcess.Start("/usr/sbin/useradd", new[] { "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", OtherUserName });
            add.WaitForExit(TimeSpan.FromSeconds(30));
            return add.ExitCode == 0 ? null : "useradd failed: " + add.Stderr;
        }

        /// <summary>The worker in a folder every user can read: the build output may not be.</summary>
        private static string CopyWorkerForOtherUser()
        {
            string folder = Path.Combine(Path.GetTempPath(), "pssm-worker-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(folder);
            foreach (string file in new[] { "PSSharedMemory.TestWorker.dll", "PSSharedMemory.TestWorker.deps.json", "PSSharedMemory.TestWorker.runtimeconfig.json", "PSSharedMemory.dll" })
            {
                File.Copy(Path.Combine(AppContext.BaseDirectory, file), Path.Combine(folder, file));
                File.SetUnixFileMode(Path.Combine(folder, file), (UnixFileMode)Convert.ToInt32("644", 8));
            }

            File.SetUnixFileMode(folder, (UnixFileMode)Convert.ToInt32("755", 8));
            return folder;
        }
    }
}
