using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using PSSharedMemory.Tests.Infrastructure;
using Xunit;

namespace PSSharedMemory.Tests
{
    /// <summary>Python's multiprocessing.shared_memory on the same segments: the same /dev/shm objects, both ways.</summary>
    public sealed class PythonInteropTests : SegmentTest
    {
        private static readonly string Peer = Path.Combine(AppContext.BaseDirectory, "interop", "shm_peer.py");

        public PythonInteropTests()
            : base("py")
        {
        }

        [SkippableFact]
        public void Python_reads_raw_bytes_the_cmdlets_wrote()
        {
            Run("$h = New-SharedMemory -Name $name -Size 64 -Raw; Write-SharedMemory $h -Bytes ([byte[]](0xCA,0xFE,0xBA,0xBE)) -Offset 10").AssertNoErrors();
            Assert.Equal("64", Python("size", SegmentName));
            Assert.Equal("00cafebabe00", Python("read", SegmentName, "9", "6"));
        }

        [SkippableFact]
        public void The_cmdlets_read_what_Python_wrote()
        {
            Python("create", SegmentName, "100", "50", "68656c6c6f");
            var r = Run("$h = New-SharedMemory -Name $name -Raw -OpenExisting; $h.Size; [Text.Encoding]::ASCII.GetString((Read-SharedMemory $h -Offset 50 -Count 5))").AssertNoErrors();
            Assert.Equal(100L, r.Output[0].BaseObject);
            Assert.Equal("hello", r.Output[1].BaseObject);
        }

        [SkippableTheory]
        [InlineData("LaneSum")]
        [InlineData("Crc32")]
        public void Python_reads_a_value_from_the_documented_layout_alone(string checksum)
        {
            Run($"New-SharedMemory -Name $name -Size 1024 -Checksum {checksum} | Write-SharedMemory -InputObject 'first' -PassThru | Write-SharedMemory -InputObject 'grüße from PowerShell'").AssertNoErrors();
            Assert.Equal("2 2 grüße from PowerShell", Python("value", SegmentName));
        }

        [SkippableFact]
        public void Python_reads_a_flat_object_from_the_documented_layout_alone()
        {
            Run(@"New-SharedMemory -Name $name -Size 4096 | Out-Null
                [pscustomobject]@{ Name = 'grüße'; On = $true; Count = 42; Big = [long]-5; Ratio = 0.25; Price = [decimal]::Parse('-12.50', [cultureinfo]::InvariantCulture)
                    When = [datetime]::new(2026, 11, 26, 1, 2, 3, [DateTimeKind]::Utc).AddTicks(4567); Span = [timespan]::FromSeconds(1.5)
                    Id = [guid]'0f8fad5b-d9cb-469f-a165-70867728950e'; Letter = [char]'x'; Nothing = $null; Tags = 'a', 7 } | Write-SharedMemory -Name $name").AssertNoErrors();
            Assert.Equal(
                "4 1 {\"Name\": [\"string\", \"grüße\"], \"On\": [\"bool\", true], \"Count\": [\"int32\", 42], \"Big\": [\"int64\", -5], " +
                "\"Ratio\": [\"double\", 0.25], \"Price\": [\"decimal\", \"-12.50\"], \"When\": [\"datetime\", \"utc\", \"2026-11-26T01:02:03.0004567\"], " +
                "\"Span\": [\"timespan\", 15000000], \"Id\": [\"guid\", \"0f8fad5b-d9cb-469f-a165-70867728950e\"], \"Letter\": [\"char\", 120], " +
                "\"Nothing\": [\"null\", null], \"Tags\": [\"object[]\", [[\"string\", \"a\"], [\"int32\", 7]]]}",
                Python("value", SegmentName));
        }

        [SkippableFact]
        public void LaneSum_is_what_the_documented_definition_computes_in_Python()
        {
            var random = new Random(11);
            foreach (int length in new[] { 0, 1, 3, 4, 15, 16, 17, 31, 32, 33, 100, 1000, 4099 })
            {
                var data = new byte[length];
                random.NextBytes(data);
                Assert.Equal(LaneSum.Compute(data).ToString("x8", System.Globalization.CultureInfo.InvariantCulture), Python("lanesum", Convert.ToHexString(data)));
            }
        }

        private static string Python(params string[] args)
        {
            string? python = FindPython();
            Skip.If(python is null, "python3 is not installed on this machine, so the Python interop tests cannot run.");
            var info = new ProcessStartInfo(python!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            info.Environment["PYTHONIOENCODING"] = "utf-8";
            info.ArgumentList.Add(Peer);
            foreach (string a in args) info.ArgumentList.Add(a);
            using var process = Process.Start(info)!;
            string stdout = process.StandardOutput.ReadToEnd();
            string stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, stderr);
            return stdout.Trim();
        }

        private static string? FindPython()
        {
            foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
            {
                string candidate = Path.Combine(dir, "python3");
                if (File.Exists(candidate)) return candidate;
            }

            return null;
        }
    }
}
