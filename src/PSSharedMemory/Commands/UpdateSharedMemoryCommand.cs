using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Management.Automation;
using System;
using PSSharedMemory.Serialization;

namespace PSSharedMemory.Commands
{
    /// <summary>
    /// Read-modify-write under the lock: runs a script block on the current value and stores its output,
    /// so that concurrent updates from many processes never lose one another's changes.
    /// </summary>
    [Cmdlet(VerbsData.Update, "SharedMemory", DefaultParameterSetName = ByHandleSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(SharedMemorySegment))]
    public sealed class UpdateSharedMemoryCommand : SegmentCommandBase
    {
        /// <summary>
        /// Gets the current value as $_ and as its first argument ($null when there is none); its output is the new
        /// value. No output leaves the value as it was; an error leaves it as it was and is reported.
        /// </summary>
        [Parameter(Mandatory = true, Position = 1)]
        public ScriptBlock ScriptBlock { get; set; } = ScriptBlock.Create(string.Empty);

        /// <summary>How many levels of contained objects CliXml keeps, as Export-Clixml -Depth.</summary>
        [Parameter]
        [ValidateRange(1, 100)]
        public int Depth { get; set; } = ValueCodec.DefaultDepth;

        /// <summary>Emit the handle after updating.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <inheritdoc/>
        protected override void ProcessSegment(SharedMemorySegment segment)
        {
            if (!ShouldChange(nameof(Resources.Messages.ShouldProcessUpdate), segment.Name)) return;
            UnderLock(segment, TimeoutSeconds, locked => Update(segment, locked));
            if (PassThru) WriteObject(segment);
        }

        private bool Update(SharedMemorySegment segment, LockedSegment locked)
        {
            StoredValue? current = locked.ReadValue();
            object? input = current is null ? null : ReadSharedMemoryCommand.Decode(segment, current).Value;
            Collection<PSObject> output;
            try
            {
                output = ScriptBlock.InvokeWithContext(null, new List<PSVariable> { new PSVariable("_", input) }, input);
            }
            catch (Exception e) when ((e is RuntimeException || e is ArgumentException || e is InvalidOperationException) && e is not PipelineStoppedException)
            {
                var record = e is IContainsErrorRecord withRecord ? withRecord.ErrorRecord : null;
                WriteError(NewErrorRecord("ScriptBlockFailed", record?.CategoryInfo.Category ?? ErrorCategory.InvalidOperation, segment, nameof(Resources.Messages.ScriptBlockFailed), e, segment.Name, e.Message));
                return false;
            }

            if (output.Count == 0) return false;
            var values = new object?[output.Count];
            for (int i = 0; i < values.Length; i++) values[i] = output[i];
            StoredValue next = Encode(values, Depth);
            ulong version = locked.WriteValue(next.Kind, next.Payload);
            Verbose(nameof(Resources.Messages.VerboseWrote), next.Payload.Length, next.Kind, segment.Name, version);
            return true;
        }
    }
}
