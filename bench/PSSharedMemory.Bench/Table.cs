using System;
using System.Collections.Generic;
using System.Globalization;

namespace PSSharedMemory.Bench
{
    /// <summary>The rows of the benchmark: each figure beside its baseline, their ratio, and the target.</summary>
    internal sealed class Table
    {
        private readonly List<(string Group, string What, string Figure, string Baseline, string Ratio, string Target)> _rows = new();

        public void Add(string group, string what, string figure, string baseline = "", double? ratio = null, string target = "", bool? met = null)
        {
            string ratioText = ratio.HasValue ? ratio.Value.ToString("0.00", CultureInfo.InvariantCulture) + "×" : "";
            string targetText = target.Length == 0 ? "" : target + (met == true ? " — met" : met == false ? " — MISSED" : "");
            _rows.Add((group, what, figure, baseline, ratioText, targetText));
            Console.Error.WriteLine($"  {group}: {what}: {figure} {ratioText}");
        }

        /// <summary>Adds a row as <see cref="Print"/> printed it in another process; other lines (the header) are skipped.</summary>
        public void AddPrinted(string line)
        {
            string[] cells = line.Split('|');
            if (cells.Length != 8 || cells[1].Trim() is "group" or "---") return;
            _rows.Add((cells[1].Trim(), cells[2].Trim(), cells[3].Trim(), cells[4].Trim(), cells[5].Trim(), cells[6].Trim()));
        }

        public void Print()
        {
            Console.WriteLine("| group | what | figure | baseline | ratio | target |");
            Console.WriteLine("|---|---|---|---|---|---|");
            foreach (var r in _rows) Console.WriteLine($"| {r.Group} | {r.What} | {r.Figure} | {r.Baseline} | {r.Ratio} | {r.Target} |");
        }

        public static string Rate(double bytesPerSecond) =>
            bytesPerSecond >= 1e9 ? (bytesPerSecond / 1e9).ToString("0.00", CultureInfo.InvariantCulture) + " GB/s" : (bytesPerSecond / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " MB/s";

        public static string Time(double seconds) =>
            seconds >= 1e-3 ? (seconds * 1e3).ToString("0.00", CultureInfo.InvariantCulture) + " ms" :
            seconds >= 1e-6 ? (seconds * 1e6).ToString("0.00", CultureInfo.InvariantCulture) + " µs" :
            (seconds * 1e9).ToString("0.0", CultureInfo.InvariantCulture) + " ns";

        public static string PerSecond(double count) => (count / 1e6).ToString("0.000", CultureInfo.InvariantCulture) + " M/s";
    }
}
