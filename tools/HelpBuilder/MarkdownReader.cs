using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace HelpBuilder
{
    /// <summary>Reads the sections of platyPS (schema 2.0.0) markdown that Get-Help shows.</summary>
    internal static class MarkdownReader
    {
        private static readonly Regex Link = new(@"^\[(?<text>[^\]]+)\]\((?<uri>[^)]*)\)$");

        public static CommandHelp Read(string path)
        {
            string[] lines = File.ReadAllLines(path);
            var help = new CommandHelp();
            string section = string.Empty;
            string? sub = null;
            var text = new List<string>();
            ParameterHelp? parameter = null;

            for (int i = 0; i < lines.Length; i++)
            {
                string line = lines[i];
                if (line.StartsWith("# ", StringComparison.Ordinal)) { help.Name = line[2..].Trim(); continue; }
                if (line.StartsWith("## ", StringComparison.Ordinal))
                {
                    Flush();
                    section = line[3..].Trim();
                    sub = null;
                    continue;
                }

                if (line.StartsWith("### ", StringComparison.Ordinal))
                {
                    Flush();
                    sub = line[4..].Trim();
                    if (section == "PARAMETERS" && sub.StartsWith('-')) { parameter = new ParameterHelp { Name = sub[1..] }; help.Parameters.Add(parameter); }
                    continue;
                }

                if (line.StartsWith("```", StringComparison.Ordinal))
                {
                    string fence = line[3..].Trim();
                    var code = new List<string>();
                    for (i++; i < lines.Length && !lines[i].StartsWith("```", StringComparison.Ordinal); i++) code.Add(lines[i]);
                    if (section == "SYNTAX" && sub is not null) help.Syntax.Add((sub.Replace(" (Default)", string.Empty, StringComparison.Ordinal), string.Join(" ", code).Trim()));
                    else if (section == "EXAMPLES" && sub is not null) help.Examples.Add((sub, string.Join("\n", code), string.Empty));
                    else if (section == "PARAMETERS" && parameter is not null && fence == "yaml")
                    {
                        parameter.Description = Paragraphs(text);
                        text.Clear();
                        foreach (string field in code.Where(c => c.Contains(':', StringComparison.Ordinal)))
                        {
                            int colon = field.IndexOf(':', StringComparison.Ordinal);
                            parameter.Fields[field[..colon].Trim()] = field[(colon + 1)..].Trim();
                        }
                    }

                    continue;
                }

                text.Add(line);
            }

            Flush();
            if (help.Name.Length == 0 || help.Synopsis.Length == 0) throw new FormatException($"{path}: no title or no SYNOPSIS");
            return help;

            void Flush()
            {
                string body = Paragraphs(text);
                text.Clear();
                switch (section)
                {
                    case "SYNOPSIS": help.Synopsis = body; break;
                    case "DESCRIPTION": help.Description = body; break;
                    case "NOTES": help.Notes = body; break;
                    case "EXAMPLES" when help.Examples.Count > 0 && sub is not null && help.Examples[^1].Title == sub:
                        help.Examples[^1] = (sub, help.Examples[^1].Code, body);
                        break;
                    case "INPUTS" when sub is not null: help.Inputs.Add((sub, body)); break;
                    case "OUTPUTS" when sub is not null: help.Outputs.Add((sub, body)); break;
                    case "RELATED LINKS":
                        foreach (string l in body.Split('\n').Select(s => s.Trim()))
                        {
                            Match m = Link.Match(l);
                            if (m.Success) help.Links.Add((m.Groups["text"].Value, m.Groups["uri"].Value.EndsWith(".md", StringComparison.Ordinal) ? string.Empty : m.Groups["uri"].Value));
                        }

                        break;
                }
            }
        }

        /// <summary>Joins lines into paragraphs separated by "\n"; blank lines separate paragraphs.</summary>
        private static string Paragraphs(List<string> lines)
        {
            var paragraphs = new List<string>();
            var current = new List<string>();
            foreach (string line in lines.Append(string.Empty))
            {
                if (line.Trim().Length == 0)
                {
                    if (current.Count > 0) paragraphs.Add(string.Join(" ", current));
                    current.Clear();
                }
                else
                {
                    current.Add(line.Trim());
                }
            }

            return string.Join("\n", paragraphs);
        }
    }
}
