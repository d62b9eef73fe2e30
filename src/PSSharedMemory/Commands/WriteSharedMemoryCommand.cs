using System.Collections.Generic;
using System.Management.Automation;
using PSSharedMemory.Serialization;

namespace PSSharedMemory.Commands
{
    /// <summary>
    /// Stores pipeline input in a segment as one value (like Export-Clixml), or writes raw bytes at an offset.
    /// </summary>
    [Cmdlet(VerbsCommunications.Write, "SharedMemory", DefaultParameterSetName = ValueByHandleSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(SharedMemorySegment))]
    public sealed class WriteSharedMemoryCommand : SharedMemoryCommandBase
    {
        private const string ValueByHandleSet = "ValueByHandle";
        private const string ValueByNameSet = "ValueByName";
        private const string RawByHandleSet = "RawByHandle";
        private const string RawByNameSet = "RawByName";

        private readonly List<object?> _collected = new List<object?>();
        private bool _inputIsArgument;
        private bool _handleIsArgument;
        private readonly List<SharedMemorySegment> _pipedQueues = new List<SharedMemorySegment>();
        private SegmentUse? _queue;
        private bool _targetIsValue;

        /// <summary>The handle from New-SharedMemory.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = ValueByHandleSet)]
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = RawByHandleSet)]
        public SharedMemorySegment? Handle { get; set; }

        /// <summary>The name of an existing segment.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = ValueByNameSet)]
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = RawByNameSet)]
        [AllowEmptyString]
        [ArgumentCompleter(typeof(SegmentNameCompleter))]
        public string Name { get; set; } = string.Empty;

        /// <summary>The Windows namespace of -Name.</summary>
        [Parameter(ParameterSetName = ValueByNameSet)]
        [Parameter(ParameterSetName = RawByNameSet)]
        public SegmentScope Scope { get; set; } = SegmentScope.Local;

        /// <summary>The object to store. Pipeline input is collected and stored as one value when the input ends.</summary>
        [Parameter(ValueFromPipeline = true, ParameterSetName = ValueByHandleSet)]
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ValueByNameSet)]
        [AllowNull]
        [AllowEmptyString]
        [AllowEmptyCollection]
        public object? InputObject { get; set; }

        /// <summary>How many levels of contained objects CliXml keeps, as Export-Clixml -Depth.</summary>
        [Parameter(ParameterSetName = ValueByHandleSet)]
        [Parameter(ParameterSetName = ValueByNameSet)]
        [ValidateRange(1, 100)]
        public int Depth { get; set; } = ValueCodec.DefaultDepth;

        /// <summary>Bytes to write at -Offset of the data area.</summary>
        [Parameter(Mandatory = true, ParameterSetName = RawByHandleSet)]
        [Parameter(Mandatory = true, ParameterSetName = RawByNameSet)]
        [AllowEmptyCollection]
        public byte[] Bytes { get; set; } = System.Array.Empty<byte>();

        /// <summary>Where in the data area the bytes go.</summary>
        [Parameter(ParameterSetName = RawByHandleSet)]
        [Parameter(ParameterSetName = RawByNameSet)]
        public long Offset { get; set; }

        /// <summary>Seconds to wait for the segment's lock; by default the handle's own timeout.</summary>
        [Parameter]
        [ValidateRange(0, 86400)]
        public double? TimeoutSeconds { get; set; }

        /// <summary>On a queue: do not end the stream with an end-of-stream mark when the input ends.</summary>
        [Parameter(ParameterSetName = ValueByHandleSet)]
        [Parameter(ParameterSetName = ValueByNameSet)]
        public SwitchParameter NoEnd { get; set; }

        /// <summary>Emit the handle after writing, to go on down the pipeline.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        private bool IsRaw => ParameterSetName == RawByHandleSet || ParameterSetName == RawByNameSet;

        /// <inheritdoc/>
        protected override void BeginProcessing()
        {
            // -InputObject given as an argument is one value per handle; input from the pipeline is collected
            // and stored as one value at the end, as Export-Clixml does.
            _inputIsArgument = MyInvocation.BoundParameters.ContainsKey(nameof(InputObject));
            _handleIsArgument = MyInvocation.BoundParameters.ContainsKey(nameof(Handle));
        }

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            if (!IsRaw && EnqueueIfQueue()) return;
            if (IsRaw || _inputIsArgument)
            {
                WriteTo(Handle, IsRaw ? null : new[] { InputObject });
            }
            else if ((Handle is not null && !_handleIsArgument) || !MyInvocation.ExpectingInput)
            {
                // A piped handle with nothing to write, or no input at all.
                WriteError(NewErrorRecord("NoInput", ErrorCategory.InvalidArgument, (object?)Handle ?? Name, nameof(Resources.Messages.NoInput), null));
            }
            else
            {
                _collected.Add(InputObject);
            }
        }

        /// <inheritdoc/>
        protected override void EndProcessing()
        {
            foreach (SharedMemorySegment piped in _pipedQueues)
            {
                EndStream(piped);
                if (PassThru) WriteObject(piped);
            }

            if (_queue is SegmentUse queue)
            {
                EndStream(queue.Segment);
                if (PassThru) WriteObject(queue.Segment);
                queue.Dispose();
                _queue = null;
                return;
            }

            if (_collected.Count > 0) WriteTo(Handle, _collected);
        }

        /// <summary>
        /// A queue takes each pipeline object as its own message as it arrives, instead of one value at the end.
        /// True when this record went to a queue (or failed trying).
        /// </summary>
        private bool EnqueueIfQueue()
        {
            try
            {
                if (Handle is not null && !_handleIsArgument)
                {
                    // Handles piped in, each given -InputObject: that object is one message for each queue among them.
                    if (!_inputIsArgument || Handle.Kind != SegmentKind.Queue) return false;
                    Enqueue(Handle, Encode(new[] { InputObject }, Depth));
                    if (!_pipedQueues.Contains(Handle)) _pipedQueues.Add(Handle);
                    return true;
                }

                if (_queue is null)
                {
                    if (_targetIsValue) return false;
                    SegmentUse use = Resolve(Handle, Name, Scope, TimeoutSeconds);
                    if (use.Segment.Kind != SegmentKind.Queue)
                    {
                        use.Dispose();
                        _targetIsValue = true;
                        return false;
                    }

                    _queue = use;
                }

                if (_inputIsArgument || MyInvocation.ExpectingInput) Enqueue(_queue.Value.Segment, Encode(new[] { InputObject }, Depth));
            }
            catch (SharedMemoryException e) when (e.Error == SharedMemoryError.WaitTimeout)
            {
                // Going on would leave a hole in the stream: what follows would arrive without this message.
                ThrowTerminatingError(ToErrorRecord(e));
            }
            catch (SharedMemoryException e)
            {
                WriteError(ToErrorRecord(e));
            }

            return true;
        }

        private void EndStream(SharedMemorySegment queue)
        {
            try
            {
                if (!NoEnd) Enqueue(queue, new StoredValue(PayloadKind.EndOfStream, System.Array.Empty<byte>()));
            }
            catch (SharedMemoryException e)
            {
                WriteError(ToErrorRecord(e));
            }
        }

        /// <summary>Waits while the queue is full (bounded by -TimeoutSeconds); never drops or overwrites.</summary>
        private void Enqueue(SharedMemorySegment queue, StoredValue message)
        {
            if (!ShouldChange(nameof(Resources.Messages.ShouldProcessEnqueue), queue.Name, message.Payload.Length, message.Kind)) return;
            QueueMessage prepared = queue.PrepareMessage(message.Kind, message.Payload);
            object? done = WaitUntil(queue, TimeoutSeconds, WaitBound(TimeoutSeconds), locked => locked.TryEnqueue(prepared) ? queue : null);
            if (done is null) throw Errors.Create(SharedMemoryError.WaitTimeout, queue.Name, nameof(Resources.Messages.QueueFull), queue.Name, TimeoutSeconds);
            Verbose(nameof(Resources.Messages.VerboseEnqueued), message.Payload.Length, message.Kind, queue.Name);
        }

        private void WriteTo(SharedMemorySegment? handle, IReadOnlyList<object?>? values)
        {
            try
            {
                using SegmentUse use = Resolve(handle, Name, Scope, TimeoutSeconds);
                SharedMemorySegment segment = use.Segment;
                if (values is null)
                {
                    if (!ShouldChange(nameof(Resources.Messages.ShouldProcessWriteRaw), segment.Name, Bytes.Length, Offset)) return;
                    ulong? version = UnderLock(segment, TimeoutSeconds, locked => locked.WriteBytes(Offset, Bytes));
                    Verbose(nameof(Resources.Messages.VerboseWroteRaw), Bytes.Length, Offset, segment.Name, version?.ToString() ?? "none (raw segment)");
                }
                else
                {
                    StoredValue value = Encode(values, Depth);
                    if (!ShouldChange(nameof(Resources.Messages.ShouldProcessWriteValue), segment.Name, value.Payload.Length, value.Kind)) return;
                    ulong version = UnderLockWithProgress(segment, TimeoutSeconds, nameof(Resources.Messages.ProgressWriting), (locked, progress) => locked.WriteValue(value.Kind, value.Payload, progress, StopToken));
                    Verbose(nameof(Resources.Messages.VerboseWrote), value.Payload.Length, value.Kind, segment.Name, version);
                }

                if (PassThru) WriteObject(segment);
            }
            catch (SharedMemoryException e)
            {
                WriteError(ToErrorRecord(e));
            }
        }
    }
}
