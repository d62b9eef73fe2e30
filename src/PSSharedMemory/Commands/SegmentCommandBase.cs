using System.Management.Automation;

namespace PSSharedMemory.Commands
{
    /// <summary>
    /// A cmdlet that works on one segment given by -Handle (from the pipeline) or -Name, in the parameter
    /// sets ByHandle and ByName, with -Scope and -TimeoutSeconds.
    /// </summary>
    public abstract class SegmentCommandBase : SharedMemoryCommandBase
    {
        /// <summary>The parameter set of -Handle.</summary>
        protected const string ByHandleSet = "ByHandle";

        /// <summary>The parameter set of -Name.</summary>
        protected const string ByNameSet = "ByName";

        /// <summary>The handle from New-SharedMemory or Get-SharedMemory.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = ByHandleSet)]
        public SharedMemorySegment? Handle { get; set; }

        /// <summary>The name of a segment; accepts the Name property of piped objects.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = ByNameSet)]
        [AllowEmptyString]
        [ArgumentCompleter(typeof(SegmentNameCompleter))]
        public string Name { get; set; } = string.Empty;

        /// <summary>The Windows namespace of -Name.</summary>
        [Parameter(ParameterSetName = ByNameSet)]
        public SegmentScope Scope { get; set; } = SegmentScope.Local;

        /// <summary>Seconds to wait for the segment's lock; by default the handle's own timeout.</summary>
        [Parameter]
        [ValidateRange(0, 86400)]
        public double? TimeoutSeconds { get; set; }

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            try
            {
                using SegmentUse use = Resolve(Handle, Name, Scope, TimeoutSeconds);
                ProcessSegment(use.Segment);
            }
            catch (SharedMemoryException e)
            {
                WriteError(ToErrorRecord(e));
            }
        }

        /// <summary>Does the cmdlet's work on the resolved segment; the core's errors become error records.</summary>
        protected abstract void ProcessSegment(SharedMemorySegment segment);
    }
}
