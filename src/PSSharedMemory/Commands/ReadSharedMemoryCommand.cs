using System.Management.Automation;
using System;
using PSSharedMemory.Serialization;

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
        [ArgumentCompleter(typeof(SegmentNameCompleter))]
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

        /// <summary>With -Count: an array of the caller's to read the bytes into, instead of a new array emitted per call.</summary>
        [Parameter(ParameterSetName = RawByHandleSet)]
        [Parameter(ParameterSetName = RawByNameSet)]
        public byte[]? Destination { get; set; }

        /// <summary>With -Destination: where in it the bytes go.</summary>
        [Parameter(ParameterSetName = RawByHandleSet)]
        [Parameter(ParameterSetName = RawByNameSet)]
        public int DestinationOffset { get; set; }

        /// <summary>
        /// Value segment: wait for a value newer than the last one this handle read (or than -Since), then emit it.
        /// Queue: keep emitting messages as they arrive until the producer ends the stream.
        /// </summary>
        [Parameter(ParameterSetName = ValueByHandleSet)]
        [Parameter(ParameterSetName = ValueByNameSet)]
        public SwitchParameter Wait { get; set; }

        /// <summary>With -Wait on a value segment: wait for a version newer than this one.</summary>
        [Parameter(ParameterSetName = ValueByHandleSet)]
        [Parameter(ParameterSetName = ValueByNameSet)]
        public ulong? Since { get; set; }

        /// <summary>Seconds to wait for the lock, and with -Wait for something new; by default the lock waits the handle's timeout and -Wait waits until Ctrl+C.</summary>
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
                    ReadRaw(segment);
                    return;
                }

                if (segment.Kind == SegmentKind.Queue)
                {
                    ReadMessages(segment);
                    return;
                }

                StoredValue? value = Wait ? WaitForNewValue(segment) : UnderLockWithProgress(segment, TimeoutSeconds, nameof(Resources.Messages.ProgressReading), (locked, progress) => locked.ReadValue(progress, StopToken));
                if (value is null)
                {
                    Verbose(nameof(Resources.Messages.NoValue), segment.Name);
                    return;
                }

                segment.LastReadVersion = value.Version;
                Emit(segment, value);
            }
            catch (SharedMemoryException e)
            {
                WriteError(ToErrorRecord(e));
            }
        }

        private void ReadRaw(SharedMemorySegment segment)
        {
            if (Destination is null)
            {
                byte[] bytes = UnderLock(segment, TimeoutSeconds, locked => locked.ReadBytes(Offset, Count));
                WriteObject(bytes, enumerateCollection: false);
                return;
            }

            // Checked before the lock is taken: a range that cannot fit the caller's array reads nothing.
            if (DestinationOffset < 0 || Count < 0 || DestinationOffset > Destination.Length || Count > Destination.Length - DestinationOffset)
            {
                throw Errors.Create(SharedMemoryError.OutOfRange, DestinationOffset, nameof(Resources.Messages.DestinationTooSmall), Count, DestinationOffset, Destination.Length);
            }

            UnderLock(segment, TimeoutSeconds, locked =>
            {
                locked.ReadBytes(Offset, Destination, DestinationOffset, (int)Count);
                return true;
            });
            Verbose(nameof(Resources.Messages.VerboseReadInto), Count, segment.Name, Offset, DestinationOffset);
        }

        private void Emit(SharedMemorySegment segment, StoredValue value)
        {
            Verbose(nameof(Resources.Messages.VerboseRead), value.Payload.Length, value.Kind, segment.Name, value.Version);
            (object? decoded, bool enumerate) = Decode(segment, value);
            WriteObject(decoded, enumerate);
        }

        private StoredValue WaitForNewValue(SharedMemorySegment segment)
        {
            ulong since = Since ?? segment.LastReadVersion ?? UnderLock(segment, TimeoutSeconds, locked => (ulong?)segment.Version) ?? 0;
            StoredValue? value = WaitUntil(segment, TimeoutSeconds, WaitBound(TimeoutSeconds), locked =>
                segment.Version > since ? locked.ReadValue() : null);
            return value ?? throw NothingArrived(segment);
        }

        /// <summary>Dequeues and emits messages one at a time, outside the lock, so the pipeline streams.</summary>
        private void ReadMessages(SharedMemorySegment segment)
        {
            while (true)
            {
                StoredValue? message = Wait
                    ? WaitFor(segment, WaitBound(TimeoutSeconds), taking => taking.TryDequeue()) ?? throw NothingArrived(segment)
                    : segment.TryDequeue();
                if (message is null || message.Kind == PayloadKind.EndOfStream) return;
                Emit(segment, message);
            }
        }

        private SharedMemoryException NothingArrived(SharedMemorySegment segment) =>
            Errors.Create(SharedMemoryError.WaitTimeout, segment.Name, nameof(Resources.Messages.WaitTimeout), segment.Name, TimeoutSeconds);

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
