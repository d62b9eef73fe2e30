using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace PSSharedMemory.Commands
{
    /// <summary>
    /// Tab completion for -Name: the segments this session has open, and on Linux the objects in /dev/shm
    /// that carry the module's header. Kernel objects on Windows cannot be listed, so there only open
    /// handles complete.
    /// </summary>
    public sealed class SegmentNameCompleter : IArgumentCompleter
    {
        /// <inheritdoc/>
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string typed = (wordToComplete ?? string.Empty).Trim('\'', '"');
            var pattern = new WildcardPattern(WildcardPattern.Escape(typed) + "*", WildcardOptions.IgnoreCase);
            var candidates = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (SharedMemorySegment handle in SessionHandles.Current())
            {
                candidates[handle.Name] = Errors.Format(nameof(Resources.Messages.CompletionOpenHandle), handle.Kind?.ToString() ?? "Raw", handle.Size, handle.Path);
            }

            foreach (ExistingSegment segment in SegmentCatalog.List().Where(s => s.Format == SegmentFormat.Value))
            {
                if (!candidates.ContainsKey(segment.Name))
                {
                    candidates[segment.Name] = Errors.Format(nameof(Resources.Messages.CompletionExisting), segment.Size, segment.Version, segment.Path);
                }
            }

            return candidates.Where(c => pattern.IsMatch(c.Key)).Select(c => new CompletionResult(Quoted(c.Key), c.Key, CompletionResultType.ParameterValue, c.Value));
        }

        /// <summary>Names with characters the parser would split on, or that it would expand, complete in single quotes.</summary>
        private static string Quoted(string name) =>
            name.IndexOfAny(new[] { ' ', '\t', '$', '`', '\'', '"', ';', '(', ')', '{', '}', '@', '#', ',', '&', '|', '<', '>' }) >= 0
                ? "'" + name.Replace("'", "''") + "'"
                : name;
    }
}
