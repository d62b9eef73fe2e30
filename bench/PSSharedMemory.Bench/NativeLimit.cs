using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.IO;

namespace PSSharedMemory.Bench
{
    /// <summary>
    /// Builds one of the C programs in bench/limits with the machine's C compiler and runs it: what plain C
    /// does on this machine with the same kernel objects, so that a row that misses its target shows how far
    /// the floor of any implementation is from it, measured in the same run. Each program prints lines of
    /// "name value".
    /// </summary>
    internal static class NativeLimit
    {
        /// <summary>The figures the program printed, or null (said on standard error) where it cannot be built or run.</summary>
        public static Dictionary<string, double>? Run(string program, params string[] arguments)
        {
            if (!OperatingSystem.IsLinux()) return null;
            string source = Path.Combine(AppContext.BaseDirectory, "limits", program + ".c");
            string binary = Path.Combine(Path.GetTempPath(), $"pssm_limit_{program}_{Environment.ProcessId}");
            try
            {
                if (Execute("cc", new[] { "-O3", "-march=native", "-o", binary, source }) is null) return null;
                string? output = Execute(binary, arguments);
                if (output is null) return null;
                var figures = new Dictionary<string, double>(StringComparer.Ordinal);
                foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    string[] parts = line.Split(' ');
                    figures[parts[0]] = double.Parse(parts[1], CultureInfo.InvariantCulture);
                }

                return figures;
            }
            catch (Win32Exception e)
            {
                Console.Error.WriteLine($"the C limit '{program}' was not measured: {e.Message}");
                return null;
            }
            finally
            {
                File.Delete(binary);
            }
        }

        private static string? Execute(string file, string[] arguments)
        {
            var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string a in arguments) info.ArgumentList.Add(a);
            using var process = Process.Start(info)!;
            var errors = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode == 0) return output;
            Console.Error.WriteLine($"{Path.GetFileName(file)} failed ({process.ExitCode}): {errors.Result.Trim()}");
            return null;
        }
    }
}
