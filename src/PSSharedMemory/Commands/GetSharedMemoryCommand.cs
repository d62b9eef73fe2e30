using System.Linq;
using System.Management.Automation;

namespace PSSharedMemory.Commands
{
    /// <summary>Lists the handles open in this session or, with -ListAvailable, the segments on the machine.</summary>
    [Cmdlet(VerbsCommon.Get, "SharedMemory", DefaultParameterSetName = OpenSet)]
    [OutputType(typeof(SharedMemorySegment), ParameterSetName = new[] { OpenSet })]
    [OutputType(typeof(ExistingSegment), ParameterSetName = new[] { AvailableSet })]
    public sealed class GetSharedMemoryCommand : SharedMemoryCommandBase
    {
        private const string OpenSet = "Open";
        private const string AvailableSet = "ListAvailable";

        /// <summary>Names to list; wildcards are allowed. All when omitted.</summary>
        [Parameter(Position = 0)]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(SegmentNameCompleter))]
        public string[]? Name { get; set; }

        /// <summary>List the segments that exist on the machine (Linux: /dev/shm), open here or not.</summary>
        [Parameter(Mandatory = true, ParameterSetName = AvailableSet)]
        public SwitchParameter ListAvailable { get; set; }

        /// <inheritdoc/>
        protected override void EndProcessing()
        {
            WildcardPattern[] patterns = (Name ?? new[] { "*" }).Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToArray();
            bool Matches(string name) => patterns.Any(p => p.IsMatch(name));
            if (ListAvailable)
            {
                foreach (ExistingSegment segment in SegmentCatalog.List().Where(s => Matches(s.Name)).OrderBy(s => s.Name, System.StringComparer.Ordinal))
                {
                    WriteObject(segment);
                }

                return;
            }

            foreach (SharedMemorySegment segment in SessionHandles.Current().Where(s => Matches(s.Name)))
            {
                WriteObject(segment);
            }
        }
    }
}
