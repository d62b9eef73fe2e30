using System.Management.Automation;

namespace PSSharedMemory.Commands
{
    /// <summary>Closes a segment's handle and removes its name, so that the next New-SharedMemory creates a new one.</summary>
    [Cmdlet(VerbsCommon.Remove, "SharedMemory", DefaultParameterSetName = ByHandleSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(void))]
    public sealed class RemoveSharedMemoryCommand : SegmentCommandBase
    {
        /// <inheritdoc/>
        protected override void ProcessSegment(SharedMemorySegment segment)
        {
            // What the segment is, as the views say it: Value, Queue, or Raw for a segment without the header.
            string kind = segment.Kind?.ToString() ?? SegmentFormat.Raw.ToString();
            string description = segment.IsFileBacked ? $"{segment.Path}, {kind}" : $"{segment.Size} bytes, {kind}";
            if (!ShouldChange(nameof(Resources.Messages.ShouldProcessRemove), segment.Name, description)) return;

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
    }
}
