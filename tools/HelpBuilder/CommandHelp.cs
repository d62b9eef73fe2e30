using System.Collections.Generic;

namespace HelpBuilder
{
    /// <summary>One cmdlet's help as read from its platyPS markdown.</summary>
    internal sealed class CommandHelp
    {
        public string Name { get; set; } = string.Empty;
        public string Synopsis { get; set; } = string.Empty;
        public string Description { get; set; } = string.Empty;
        public List<(string SetName, string Syntax)> Syntax { get; } = new();
        public List<(string Title, string Code, string Remarks)> Examples { get; } = new();
        public List<ParameterHelp> Parameters { get; } = new();
        public List<(string Type, string Description)> Inputs { get; } = new();
        public List<(string Type, string Description)> Outputs { get; } = new();
        public string Notes { get; set; } = string.Empty;
        public List<(string Text, string Uri)> Links { get; } = new();
    }

    internal sealed class ParameterHelp
    {
        public string Name { get; set; } = string.Empty;
        public string Description { get; set; } = string.Empty;
        public Dictionary<string, string> Fields { get; } = new();

        public string Field(string key) => Fields.TryGetValue(key, out string? value) ? value : string.Empty;
    }
}
