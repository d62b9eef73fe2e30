using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace HelpBuilder
{
    /// <summary>Writes the MAML command help that PowerShell's Get-Help reads, and the about topics as text.</summary>
    internal static class MamlWriter
    {
        private static readonly XNamespace Msh = "http://msh";
        private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
        private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
        private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

        // One alternative per way a parameter appears in a syntax line.
        private static readonly Regex SyntaxToken = new(
            @"\[\[-(?<optpos>\w+)\] <(?<t1>[^>]+)>\]|\[-(?<reqpos>\w+)\] <(?<t2>[^>]+)>|\[-(?<optnamed>\w+) <(?<t3>[^>]+)>\]|\[-(?<optswitch>\w+)\]|-(?<reqnamed>\w+) <(?<t4>[^>]+)>|-(?<reqswitch>\w+)");

        public static int Write(string markdownFolder, string moduleFolder)
        {
            string culture = Path.Combine(moduleFolder, "en-US");
            Directory.CreateDirectory(culture);
            var commands = Directory.GetFiles(markdownFolder, "*-*.md").OrderBy(f => f, StringComparer.Ordinal).Select(MarkdownReader.Read).ToList();
            var root = new XElement(Msh + "helpItems", new XAttribute("schema", "maml"), commands.Select(ToMaml));
            new XDocument(new XDeclaration("1.0", "utf-8", null), root).Save(Path.Combine(culture, "PSSharedMemory.dll-Help.xml"));

            foreach (string about in Directory.GetFiles(markdownFolder, "about_*.md"))
            {
                File.WriteAllText(Path.Combine(culture, Path.GetFileNameWithoutExtension(about) + ".help.txt"), AboutText(File.ReadAllLines(about)));
            }

            return commands.Count;
        }

        private static XElement ToMaml(CommandHelp help)
        {
            string[] verbNoun = help.Name.Split('-', 2);
            var parameters = help.Parameters.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
            return new XElement(Command + "command",
                new XAttribute(XNamespace.Xmlns + "maml", Maml),
                new XAttribute(XNamespace.Xmlns + "command", Command),
                new XAttribute(XNamespace.Xmlns + "dev", Dev),
                new XElement(Command + "details",
                    new XElement(Command + "name", help.Name),
                    new XElement(Command + "verb", verbNoun[0]),
                    new XElement(Command + "noun", verbNoun.Length > 1 ? verbNoun[1] : string.Empty),
                    Description(help.Synopsis)),
                Description(help.Description),
                new XElement(Command + "syntax", help.Syntax.Select(s => SyntaxItem(help.Name, s.Syntax, parameters))),
                new XElement(Command + "parameters", help.Parameters.Select(p => Parameter(p, required: p.Field("Required").StartsWith("True", StringComparison.Ordinal), position: Position(p, positional: true)))),
                new XElement(Command + "inputTypes", help.Inputs.Select(i => new XElement(Command + "inputType", TypeElement(i.Type), Description(i.Description)))),
                new XElement(Command + "returnValues", help.Outputs.Select(o => new XElement(Command + "returnValue", TypeElement(o.Type), Description(o.Description)))),
                new XElement(Maml + "alertSet", new XElement(Maml + "alert", Paras(help.Notes))),
                new XElement(Command + "examples", help.Examples.Select(e => new XElement(Command + "example",
                    new XElement(Maml + "title", $"-------------------------- {e.Title} --------------------------"),
                    new XElement(Dev + "code", e.Code),
                    new XElement(Dev + "remarks", Paras(e.Remarks))))),
                new XElement(Command + "relatedLinks", help.Links.Select(l => new XElement(Maml + "navigationLink",
                    new XElement(Maml + "linkText", l.Text), new XElement(Maml + "uri", l.Uri)))));
        }

        private static XElement SyntaxItem(string name, string syntax, Dictionary<string, ParameterHelp> parameters)
        {
            var item = new XElement(Command + "syntaxItem", new XElement(Maml + "name", name));
            foreach (Match m in SyntaxToken.Matches(syntax.StartsWith(name, StringComparison.OrdinalIgnoreCase) ? syntax[name.Length..] : syntax))
            {
                string parameterName = new[] { "optpos", "reqpos", "optnamed", "optswitch", "reqnamed", "reqswitch" }.Select(g => m.Groups[g]).First(g => g.Success).Value;
                if (parameterName is "WhatIf" or "Confirm" && !parameters.ContainsKey(parameterName)) continue;
                if (!parameters.TryGetValue(parameterName, out ParameterHelp? parameter))
                {
                    throw new FormatException($"{name}: the syntax names -{parameterName}, which has no PARAMETERS entry");
                }

                bool required = m.Groups["reqpos"].Success || m.Groups["reqnamed"].Success || m.Groups["reqswitch"].Success;
                bool positional = m.Groups["optpos"].Success || m.Groups["reqpos"].Success;
                item.Add(Parameter(parameter, required, Position(parameter, positional)));
            }

            return item;
        }

        private static string Position(ParameterHelp parameter, bool positional)
        {
            string first = parameter.Field("Position").Split(',')[0].Trim();
            return positional && int.TryParse(first, out _) ? first : "named";
        }

        private static XElement Parameter(ParameterHelp p, bool required, string position)
        {
            string type = p.Field("Type");
            bool isSwitch = type == "SwitchParameter";
            return new XElement(Command + "parameter",
                new XAttribute("required", required ? "true" : "false"),
                new XAttribute("variableLength", type.EndsWith("[]", StringComparison.Ordinal) ? "true" : "false"),
                new XAttribute("globbing", p.Field("Accept wildcard characters").Equals("True", StringComparison.OrdinalIgnoreCase) ? "true" : "false"),
                new XAttribute("pipelineInput", p.Field("Accept pipeline input")),
                new XAttribute("position", position),
                new XAttribute("aliases", p.Field("Aliases").Length == 0 ? "none" : p.Field("Aliases")),
                new XElement(Maml + "name", p.Name),
                Description(p.Description),
                isSwitch ? null : new XElement(Command + "parameterValue", new XAttribute("required", "true"), new XAttribute("variableLength", "false"), type),
                p.Field("Accepted values").Length == 0 ? null : new XElement(Command + "parameterValueGroup",
                    p.Field("Accepted values").Split(',').Select(v => new XElement(Command + "parameterValue", new XAttribute("required", "false"), new XAttribute("variableLength", "false"), v.Trim()))),
                TypeElement(type),
                new XElement(Dev + "defaultValue", p.Field("Default value")));
        }

        private static XElement TypeElement(string type) => new(Dev + "type", new XElement(Maml + "name", type), new XElement(Maml + "uri"));

        private static XElement Description(string text) => new(Maml + "description", Paras(text));

        private static IEnumerable<XElement> Paras(string text) =>
            text.Split('\n').Where(p => p.Length > 0).Select(p => new XElement(Maml + "para", p.Replace("`", string.Empty, StringComparison.Ordinal)));

        /// <summary>An about topic as the plain text PowerShell shows: headings in capitals, code indented.</summary>
        private static string AboutText(string[] lines)
        {
            var output = new List<string>();
            bool inCode = false;
            foreach (string line in lines)
            {
                if (line.StartsWith("```", StringComparison.Ordinal)) { inCode = !inCode; continue; }
                if (inCode) output.Add("    " + line);
                else if (line.StartsWith("#", StringComparison.Ordinal)) output.Add(line.TrimStart('#').Trim().ToUpperInvariant());
                else output.Add(line.Replace("`", string.Empty, StringComparison.Ordinal));
            }

            return string.Join(Environment.NewLine, output) + Environment.NewLine;
        }
    }
}
