using System.Management.Automation;

namespace PSSharedMemory.Commands
{
    /// <summary>Closes a segment's handle and removes its name, so that the next New-SharedMemory creates a new one.</summary>
    [Cmdlet(VerbsCommon.Remove, "SharedMemory", DefaultParameterSetName = ByHandleSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(void))]
    public sealed class RemoveSharedMemoryCommand : SharedMemoryCommandBase
    {
        private const string ByHandleSet = "ByHandle";
        private const string ByNameSet = "ByName";

        /// <summary>The handle from New-SharedMemory or Get-SharedMemory.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = ByHandleSet)]
        public SharedMemorySegment? Handle { get; set; }

        /// <summary>The name of a segment; accepts the Name property of Get-SharedMemory -ListAvailable output.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = ByNameSet)]
        [AllowEmptyString]
        public string Name { get; set; } = string.Empty;

        /// <summary>The Windows namespace of -Name.</summary>
        [Parameter(ParameterSetName = ByNameSet)]
        public SegmentScope Scope { get; set; } = SegmentScope.Local;

        /// <summary>Seconds to wait for the segment's lock before removing it.</summary>
        [Parameter]
        [ValidateRange(0, 86400)]
        public double? TimeoutSeconds { get; set; }

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            try
            {
                using SegmentUse use = Resolve(Handle, Name, Scope, TimeoutSeconds);
                SharedMemorySegment segment = use.Segment;
                string description = segment.IsFileBacked ? segment.Path : $"{segment.Size} bytes, {segment.Format}";
                if (!ShouldProcess(Errors.Format(nameof(Resources.Messages.ShouldProcessRemove), segment.Name, description), Errors.Format(nameof(Resources.Messages.ShouldProcessRemove), segment.Name, description), Errors.Format(nameof(Resources.Messages.ShouldProcessRemoveAction))))
                {
                    return;
                }

                if (segment.Remove(ToTimeout(TimeoutSeconds), StopToken))
                {
                    WriteWarning(Errors.Format(nameof(Resources.Messages.AbandonedLock), segment.Name));
                }

                // Other handles of this session to the same segment point at memory whose name is gone: close them too.
                foreach (SharedMemorySegment other in SessionHandles.Current())
                {
                    if (other.Name == segment.Name && other.Scope == segment.Scope) other.Dispose();
                }

                Verbose(nameof(Resources.Messages.VerboseRemoved), segment.Name);
            }
            catch (SharedMemoryException e)
            {
                WriteError(ToErrorRecord(e));
            }
        }
    }
}
