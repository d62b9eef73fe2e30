using System.Management.Automation;

namespace PSSharedMemory.Commands
{
    /// <summary>Creates or opens a named shared memory segment and returns a handle to it.</summary>
    [Cmdlet(VerbsCommon.New, "SharedMemory", DefaultParameterSetName = CreateOrOpenSet)]
    [OutputType(typeof(SharedMemorySegment))]
    public sealed class NewSharedMemoryCommand : SharedMemoryCommandBase
    {
        private const string CreateOrOpenSet = "CreateOrOpen";
        private const string CreateNewSet = "CreateNew";
        private const string OpenExistingSet = "OpenExisting";

        /// <summary>The segment's name; a <c>Local\</c> or <c>Global\</c> prefix selects the Windows namespace.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        [ArgumentCompleter(typeof(SegmentNameCompleter))]
        public string Name { get; set; } = string.Empty;

        /// <summary>Bytes of data to create the segment with. Needed to create; when opening, at most the existing size.</summary>
        [Parameter(Position = 1)]
        public long Size { get; set; }

        /// <summary>A file to map instead of memory: created with -Size when missing, else opened at its own size.</summary>
        [Parameter]
        public string? Path { get; set; }

        /// <summary>Fail when the segment already exists.</summary>
        [Parameter(Mandatory = true, ParameterSetName = CreateNewSet)]
        public SwitchParameter CreateNew { get; set; }

        /// <summary>Fail when the segment does not exist.</summary>
        [Parameter(Mandatory = true, ParameterSetName = OpenExistingSet)]
        public SwitchParameter OpenExisting { get; set; }

        /// <summary>Plain bytes with no header, as the seed's programs and Python make them; only raw reads and writes apply.</summary>
        [Parameter]
        public SwitchParameter Raw { get; set; }

        /// <summary>Create a queue: a lossless first-in, first-out ring of messages instead of one value.</summary>
        [Parameter]
        public SwitchParameter Queue { get; set; }

        /// <summary>How a segment this call creates checks values and messages: LaneSum (default, fast) or Crc32 (zlib's, for other languages).</summary>
        [Parameter]
        public ChecksumAlgorithm Checksum { get; set; } = ChecksumAlgorithm.LaneSum;

        /// <summary>The Windows namespace: Local (the session's, default) or Global (the machine's). No effect on Unix.</summary>
        [Parameter]
        public SegmentScope Scope { get; set; } = SegmentScope.Local;

        /// <summary>Who besides you may open the segment when this call creates it: Owner (default), Group (Unix) or Everyone.</summary>
        [Parameter]
        public SegmentAccess Access { get; set; } = SegmentAccess.Owner;

        /// <summary>Accept a segment that another user created (sharing between users); refused by default.</summary>
        [Parameter]
        public SwitchParameter AllowOtherOwner { get; set; }

        /// <summary>How long operations on this handle wait for the segment's lock by default, in seconds.</summary>
        [Parameter]
        [ValidateRange(0, 86400)]
        public double TimeoutSeconds { get; set; } = SegmentOptions.DefaultLockTimeout.TotalSeconds;

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            var options = new SegmentOptions(Name)
            {
                Size = MyInvocation.BoundParameters.ContainsKey(nameof(Size)) ? Size : null,
                Path = Path is null ? null : GetUnresolvedProviderPathFromPSPath(Path),
                Mode = CreateNew ? OpenMode.CreateNew : OpenExisting ? OpenMode.OpenExisting : OpenMode.CreateOrOpen,
                Format = Raw ? SegmentFormat.Raw : SegmentFormat.Value,
                Kind = Queue ? SegmentKind.Queue : SegmentKind.Value,
                Checksum = MyInvocation.BoundParameters.ContainsKey(nameof(Checksum)) ? Checksum : null,
                Scope = Scope,
                Access = Access,
                AllowOtherOwner = AllowOtherOwner,
                LockTimeout = System.TimeSpan.FromSeconds(TimeoutSeconds),
            };

            if (Raw && Queue)
            {
                WriteError(NewErrorRecord("QueueNeedsHeader", ErrorCategory.InvalidArgument, Name, nameof(Resources.Messages.QueueNeedsHeader), null));
                return;
            }

            if (Raw && options.Checksum.HasValue)
            {
                WriteError(NewErrorRecord("ChecksumNeedsHeader", ErrorCategory.InvalidArgument, Name, nameof(Resources.Messages.ChecksumNeedsHeader), null));
                return;
            }

            SharedMemorySegment segment;
            try
            {
                segment = SharedMemorySegment.Open(options, StopToken);
            }
            catch (SharedMemoryException e)
            {
                WriteError(ToErrorRecord(e));
                return;
            }

            if (segment.RecoveredAbandonedLock) WriteWarning(Errors.Format(nameof(Resources.Messages.AbandonedLock), segment.Name));
            Verbose(nameof(Resources.Messages.VerboseOpened), segment.Created ? "Created" : "Opened", segment.Name, segment.Size, segment.Format, segment.Path);
            SessionHandles.Add(segment);
            WriteObject(segment);
        }
    }
}
