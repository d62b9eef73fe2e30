using System;
using System.Management.Automation;

namespace PSSharedMemory.Commands
{
    /// <summary>Emits a segment's value (like Import-Clixml), or raw bytes at an offset.</summary>
    [Cmdlet(VerbsCommunications.Read, "SharedMemory", DefaultParameterSetName = ValueByHandleSet)]
    [OutputType(typeof(object), ParameterSetName = new[] { ValueByHandleSet, ValueByNameSet })]
    [OutputType(typeof(byte[]), ParameterSetName = new[] { RawByHandleSet, RawByNameSet })]
    public sealed class ReadSharedMemoryCommand : SharedMemoryCommandBase
    {
        private const string ValueByHandleSet = "ValueByHandle";
        private const string ValueByNameSet = "ValueByName";
        private const string RawByHandleSet = "RawByHandle";
        private const string RawByNameSet = "RawByName";

        /// <summary>The handle from New-SharedMemory.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = ValueByHandleSet)]
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = RawByHandleSet)]
        public SharedMemorySegment? Handle { get; set; }

        /// <summary>The name of an existing segment.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = ValueByNameSet)]
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = RawByNameSet)]
        [AllowEmptyString]
        public string Name { get; set; } = string.Empty;

        /// <summary>The Windows namespace of -Name.</summary>
        [Parameter(ParameterSetName = ValueByNameSet)]
        [Parameter(ParameterSetName = RawByNameSet)]
        public SegmentScope Scope { get; set; } = SegmentScope.Local;

        /// <summary>Where in the data area to start reading raw bytes.</summary>
        [Parameter(ParameterSetName = RawByHandleSet)]
        [Parameter(ParameterSetName = RawByNameSet)]
        public long Offset { get; set; }

        /// <summary>How many raw bytes to read; they are emitted as one byte array.</summary>
        [Parameter(Mandatory = true, ParameterSetName = RawByHandleSet)]
        [Parameter(Mandatory = true, ParameterSetName = RawByNameSet)]
        public long Count { get; set; }

        /// <summary>Seconds to wait for the segment's lock; by default the handle's own timeout.</summary>
        [Parameter]
        [ValidateRange(0, 86400)]
        public double? TimeoutSeconds { get; set; }

        private bool IsRaw => ParameterSetName == RawByHandleSet || ParameterSetName == RawByNameSet;

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            try
            {
                using SegmentUse use = Resolve(Handle, Name, Scope, TimeoutSeconds);
                SharedMemorySegment segment = use.Segment;
                if (IsRaw)
                {
                    byte[] bytes = UnderLock(segment, TimeoutSeconds, locked => locked.ReadBytes(Offset, Count));
                    WriteObject(bytes, enumerateCollection: false);
                    return;
                }

                StoredValue? value = UnderLock(segment, TimeoutSeconds, locked => locked.ReadValue());
                if (value is null)
                {
                    Verbose(nameof(Resources.Messages.NoValue), segment.Name);
                    return;
                }

                Verbose(nameof(Resources.Messages.VerboseRead), value.Payload.Length, value.Kind, segment.Name, value.Version);
                (object? decoded, bool enumerate) = Decode(segment, value);
                WriteObject(decoded, enumerate);
            }
            catch (SharedMemoryException e)
            {
                WriteError(ToErrorRecord(e));
            }
        }

        internal static (object? Value, bool Enumerate) Decode(SharedMemorySegment segment, StoredValue value)
        {
            try
            {
                return ValueCodec.Decode(value);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The checksum matched, so these bytes were written as they are: a peer stored something that
                // is not what its kind says. Report it; never let it escape as a crash of the pipeline.
                throw new SharedMemoryException(SharedMemoryError.Corrupted, Errors.Format(nameof(Resources.Messages.ValueUnreadable), segment.Name, e.Message), segment.Name, 0, e);
            }
        }
    }
}
