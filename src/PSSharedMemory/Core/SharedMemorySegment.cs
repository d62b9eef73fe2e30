using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using PSSharedMemory.Platform;

namespace PSSharedMemory
{
    /// <summary>
    /// A named mapping and the cross-process lock that guards it. Open one with <see cref="Open(SegmentOptions, System.Threading.CancellationToken)"/>, do work
    /// under the lock with <see cref="Lock"/>, and dispose it to unmap (the segment itself lives on until
    /// <see cref="Remove"/> or, on Windows, until the last process closes it).
    /// </summary>
    public sealed class SharedMemorySegment : IDisposable
    {
        /// <summary>
        /// The locks this thread holds, by lock name, across all handles of this process: taking a lock twice on
        /// one thread is refused the same way on every platform (Windows mutexes would allow it, pthread
        /// error-checking mutexes refuse it, and either way it is a nested call that would misbehave). Per
        /// thread, so that checking it costs no synchronisation on the uncontended path.
        /// </summary>
        [ThreadStatic]
        private static List<string>? locksHeldByThisThread;

        private readonly IPlatform _platform;
        private readonly SegmentName _name;
        private readonly object _inProcessGate = new object();
        private IMapping? _mapping;
        private TimeSpan _waitSpin = DefaultWaitSpin;
        private ICrossProcessLock? _lock;
        private SegmentHeader? _header;
        private ulong? _lastVersion;

        private SharedMemorySegment(IPlatform platform, SegmentName name, IMapping mapping, ICrossProcessLock crossProcessLock, SegmentFormat format, long size, bool created, bool fileBacked, TimeSpan lockTimeout)
        {
            _platform = platform;
            _name = name;
            _mapping = mapping;
            _lock = crossProcessLock;
            Memory = new MappedMemory(mapping.Address, mapping.Length);
            Format = format;
            DataOffset = format == SegmentFormat.Value ? SegmentHeader.Size : 0;
            Size = size;
            Created = created;
            IsFileBacked = fileBacked;
            Path = mapping.Path;
            LockTimeout = lockTimeout;
            if (format == SegmentFormat.Value)
            {
                _header = new SegmentHeader(Memory);
                CreationTime = _header.Created;
                _lastVersion = _header.Version;
                Kind = _header.Kind;
                Checksum = _header.ValidatedChecksum(name.Name);
                if (Kind == SegmentKind.Queue) Queue = new MessageQueue(Memory, _header, size, name.Name);
            }
        }

        /// <summary>The name, without a <c>Local\</c> or <c>Global\</c> prefix.</summary>
        public string Name => _name.Name;

        /// <summary>The Windows namespace of the name.</summary>
        public SegmentScope Scope => _name.Scope;

        /// <summary>Bytes in the data area: the capacity for values and the range for raw offsets.</summary>
        public long Size { get; }

        /// <summary>True when opening created the segment; false when it already existed.</summary>
        public bool Created { get; }

        /// <summary>The file, shm object or kernel object name behind the mapping.</summary>
        public string Path { get; }

        /// <summary>Value (with the PSSharedMemory header) or Raw.</summary>
        public SegmentFormat Format { get; }

        /// <summary>True when the mapping is over a regular file.</summary>
        public bool IsFileBacked { get; }

        /// <summary>The version counter every write bumps; null for raw segments, which have no header.</summary>
        public ulong? Version
        {
            get
            {
                lock (_inProcessGate)
                {
                    if (_header is not null && _mapping is not null) _lastVersion = _header.Version;
                    return _lastVersion;
                }
            }
        }

        /// <summary>Value or Queue; null for raw segments.</summary>
        public SegmentKind? Kind { get; }

        /// <summary>The largest value every write takes (half the data area, the other half keeping the current value whole); null for queues and raw segments.</summary>
        public long? MaxValueBytes => Kind == SegmentKind.Value ? SegmentHeader.MaxValueLength(Size) : null;

        /// <summary>How values and messages are checked, as the header said when this handle opened it; null for raw segments.</summary>
        public ChecksumAlgorithm? Checksum { get; }

        /// <summary>Messages waiting in a queue (read without the lock, so a moment old); null for other segments.</summary>
        public long? MessageCount => ReadWithoutLock(() => Queue?.Count);

        /// <summary>Bytes free in a queue's ring (read without the lock); null for other segments.</summary>
        public long? FreeBytes => ReadWithoutLock(() => Queue?.FreeBytes);

        /// <summary>
        /// Bytes in use (read without the lock, so a moment old): the current value's length, or what a
        /// queue's messages occupy in its ring; null for raw segments, whose use the module cannot know.
        /// </summary>
        public long? UsedBytes => ReadWithoutLock(() => Queue is not null ? Queue.UsedBytes : _header?.CurrentValueLength(Size));

        /// <summary>When the segment was created (from its header); null for raw segments.</summary>
        public DateTimeOffset? CreationTime { get; }

        /// <summary>The version of the value this handle last read; what Read-SharedMemory -Wait waits to be passed.</summary>
        public ulong? LastReadVersion { get; internal set; }

        /// <summary>True once the handle is disposed.</summary>
        public bool IsClosed => _mapping is null;

        /// <summary>How long <see cref="Lock"/> waits when it is given no timeout.</summary>
        public TimeSpan LockTimeout { get; set; }

        /// <summary>True when opening found the lock abandoned by a process that died holding it.</summary>
        public bool RecoveredAbandonedLock { get; private set; }

        internal MappedMemory Memory { get; }

        internal long DataOffset { get; }

        internal SegmentHeader? Header => _header;

        internal MessageQueue? Queue { get; }

        internal IPlatform Platform => _platform;

        /// <summary>
        /// Enqueues every message of <paramref name="batch"/>, waiting for room as consumers take messages, in as
        /// many lock holds as that needs: the number enqueued, which is less than the batch's count only when
        /// <paramref name="timeout"/> passed first (those that were enqueued stay, in order).
        /// </summary>
        public int EnqueueAll(MessageBatch batch, TimeSpan timeout, CancellationToken cancellationToken = default)
        {
            if (batch is null) throw new ArgumentNullException(nameof(batch));
            var clock = System.Diagnostics.Stopwatch.StartNew();
            int done = 0;
            while (done < batch.Count)
            {
                TimeSpan left = timeout - clock.Elapsed;
                object? progressed = WaitUntil(
                    locked =>
                    {
                        int enqueued = locked.TryEnqueue(batch, done);
                        done += enqueued;
                        return enqueued > 0 ? batch : null;
                    },
                    left > TimeSpan.Zero ? left : TimeSpan.Zero,
                    cancellationToken: cancellationToken);
                if (progressed is null) break;
            }

            return done;
        }

        /// <summary>
        /// Runs <paramref name="attempt"/> under the lock until it returns something, sleeping on the change
        /// counter in between: how a reader waits for a newer value, and a producer for room in a full queue.
        /// Null when <paramref name="timeout"/> passes first.
        /// </summary>
        public T? WaitUntil<T>(Func<LockedSegment, T?> attempt, TimeSpan timeout, TimeSpan? lockTimeout = null, CancellationToken cancellationToken = default)
            where T : class
        {
            if (attempt is null) throw new ArgumentNullException(nameof(attempt));
            var clock = System.Diagnostics.Stopwatch.StartNew();
            bool counted = false;
            try
            {
                while (true)
                {
                    uint observed;
                    bool lookAgain = false;
                    using (LockedSegment locked = Lock(lockTimeout, cancellationToken))
                    {
                        // Read before the attempt, not after: queue consumers change the segment without the lock,
                        // and a take between a failed attempt and a later read would be slept through.
                        observed = locked.ChangeCounter;
                        T? result = attempt(locked);
                        if (result is not null) return result;
                        if (!counted && Queue is not null)
                        {
                            // Consumers bump the counter for takes only while a producer is counted here. A take
                            // after the count is bumped; one before it may have made the room: so look again, in a
                            // hold of its own (callers may count on one attempt per hold), before sleeping.
                            _header!.CountRoomWaiter(waiting: true);
                            counted = true;
                            lookAgain = true;
                        }
                    }

                    if (lookAgain) continue;
                    TimeSpan remaining = timeout - clock.Elapsed;
                    if (remaining <= TimeSpan.Zero || !WaitForChange(observed, remaining, cancellationToken)) return null;
                }
            }
            finally
            {
                if (counted) UncountRoomWaiter();
            }
        }

        /// <summary>
        /// Takes the oldest message of a queue, or null when it is empty. Taking needs no lock: consumers claim
        /// messages with an atomic update of the queue's head, so they neither wait for producers, which hold the
        /// lock while they copy in, nor block them. A consumer that dies before its claim leaves the message in
        /// the queue; one that dies after it loses that message.
        /// </summary>
        public StoredValue? TryDequeue()
        {
            lock (_inProcessGate)
            {
                StoredValue? message = QueueToTake().TryDequeue();
                if (message is not null) Taken();
                return message;
            }
        }

        /// <summary>
        /// Takes the oldest message of a queue into a buffer of the caller's, allocating nothing: its length,
        /// or -1 when the queue is empty. A message that does not fit stays in the queue (ValueTooLarge). When
        /// the queue is empty and a producer is writing a long message (256 KiB or more), this copies it as it
        /// is written and takes it once it is committed, which moves long messages between cores much faster.
        /// </summary>
        public int TryDequeue(byte[] buffer, int index, out PayloadKind kind)
        {
            if (buffer is null) throw new ArgumentNullException(nameof(buffer));
            if (index < 0 || index > buffer.Length) throw new ArgumentOutOfRangeException(nameof(index));
            lock (_inProcessGate)
            {
                int length = QueueToTake().TryDequeue(buffer, index, out kind);
                if (length >= 0) Taken();
                return length;
            }
        }

        /// <summary>
        /// Takes the oldest messages into <paramref name="buffer"/>, as many whole ones as fit, in one copy per run
        /// of records and one claim for all; returns how many (0 when the queue is empty). Read them with
        /// <see cref="MessageBuffer.GetMessage"/>, which checks each against its checksum. A message larger than
        /// the whole buffer throws <see cref="SharedMemoryError.ValueTooLarge"/> and stays. The messages leave the
        /// queue at the claim: a consumer that dies before it has handled them loses them all, where one that
        /// takes a message at a time loses one.
        /// </summary>
        public int TryDequeue(MessageBuffer buffer)
        {
            if (buffer is null) throw new ArgumentNullException(nameof(buffer));
            lock (_inProcessGate)
            {
                int taken = QueueToTake().TryDequeue(buffer);
                if (taken > 0) Taken();
                return taken;
            }
        }

        /// <summary>
        /// Runs <paramref name="attempt"/>, without the lock, until it returns something, sleeping on the change
        /// counter in between: how a consumer waits for a message (with one of the <c>TryDequeue</c> methods).
        /// Null when <paramref name="timeout"/> passes first.
        /// </summary>
        public T? WaitFor<T>(Func<SharedMemorySegment, T?> attempt, TimeSpan timeout, CancellationToken cancellationToken = default)
            where T : class
        {
            if (attempt is null) throw new ArgumentNullException(nameof(attempt));
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (true)
            {
                // Read before the attempt: a change after it is then seen by WaitForChange, never slept through.
                uint observed = ChangeCounterOrClosed();
                T? result = attempt(this);
                if (result is not null) return result;
                TimeSpan remaining = timeout - clock.Elapsed;
                if (remaining <= TimeSpan.Zero || !WaitForChange(observed, remaining, cancellationToken)) return null;
            }
        }

        /// <summary>
        /// An empty batch of up to <paramref name="capacity"/> bytes of records for this queue, to fill before the
        /// lock is taken and enqueue with <see cref="LockedSegment.TryEnqueue(MessageBatch, int)"/>.
        /// </summary>
        public MessageBatch CreateBatch(int capacity) => new MessageBatch(Checksum ?? ChecksumAlgorithm.LaneSum, capacity);

        /// <summary>
        /// Computes a message's checksum now, without the lock, so that enqueueing it holds the lock only to
        /// copy it in, and a producer that waits for room does not checksum it again at every attempt.
        /// </summary>
        public QueueMessage PrepareMessage(PayloadKind kind, byte[] payload)
        {
            if (!PayloadKinds.IsMessage(kind)) throw new ArgumentOutOfRangeException(nameof(kind));
            return new QueueMessage(kind, payload, Checksum ?? ChecksumAlgorithm.LaneSum);
        }

        /// <summary>
        /// How long a waiter watches the change counter on its core before it sleeps. The default, 50 µs,
        /// keeps an idle waiter near 0.5 % of a core and wakes it in tens of microseconds; a waiter that
        /// expects changes more often than it can afford to sleep sets a longer spin and is woken in well
        /// under a microsecond while it spins, at the price of a busy core for that long.
        /// </summary>
        public TimeSpan WaitSpin
        {
            get => _waitSpin;
            set
            {
                if (value < TimeSpan.Zero || value > MaxWaitSpin) throw new ArgumentOutOfRangeException(nameof(value), value, $"The spin must be between 0 and {MaxWaitSpin.TotalSeconds} s.");
                _waitSpin = value;
            }
        }

        /// <summary>
        /// Waits until the segment changes after <paramref name="observed"/> (a change counter read under the
        /// lock): spins for <see cref="WaitSpin"/>, then sleeps on the counter. False when the timeout passes.
        /// </summary>
        public bool WaitForChange(uint observed, TimeSpan timeout, CancellationToken cancellationToken = default)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            TimeSpan spin = _waitSpin < timeout ? _waitSpin : timeout;
            while (ChangeCounterOrClosed() == observed && clock.Elapsed < spin)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Thread.SpinWait(1);
            }

            while (ChangeCounterOrClosed() == observed)
            {
                cancellationToken.ThrowIfCancellationRequested();
                TimeSpan remaining = timeout - clock.Elapsed;
                if (remaining <= TimeSpan.Zero) return false;
                TimeSpan slice = remaining < WaitSlice ? remaining : WaitSlice;
                // The gate keeps Dispose from unmapping the word we sleep on; it is given up between slices.
                lock (_inProcessGate)
                {
                    if (_mapping is null) throw Closed();
                    Memory.IncrementUInt32(SegmentHeader.WaitersOffset);
                    try
                    {
                        _platform.WaitForChange(Memory, SegmentHeader.ChangeCounterOffset, observed, slice);
                    }
                    finally
                    {
                        Memory.DecrementUInt32(SegmentHeader.WaitersOffset);
                    }
                }
            }

            return true;
        }

        private static readonly TimeSpan DefaultWaitSpin = TimeSpan.FromMilliseconds(0.05);
        private static readonly TimeSpan MaxWaitSpin = TimeSpan.FromSeconds(1);
        private static readonly TimeSpan WaitSlice = TimeSpan.FromMilliseconds(100);

        /// <summary>Creates or opens a segment as <paramref name="options"/> say.</summary>
        public static SharedMemorySegment Open(SegmentOptions options, CancellationToken cancellationToken = default) =>
            Open(Platforms.Current, options, cancellationToken);

        internal static SharedMemorySegment Open(IPlatform platform, SegmentOptions options, CancellationToken cancellationToken)
        {
            if (options is null) throw new ArgumentNullException(nameof(options));
            long headerLength = options.Format == SegmentFormat.Raw ? 0 : SegmentHeader.Size;
            if (options.Size.HasValue && (options.Size.Value <= 0 || options.Size.Value > platform.MaxMappingLength - headerLength))
            {
                throw Errors.Create(SharedMemoryError.SizeInvalid, options.Size.Value, nameof(Resources.Messages.SizeInvalid), options.Size.Value, platform.MaxMappingLength - headerLength);
            }

            if (options.Path is not null && Directory.Exists(options.Path))
            {
                throw Errors.Create(SharedMemoryError.FileInvalid, options.Path, nameof(Resources.Messages.PathIsDirectory), options.Path);
            }

            // The file is created, its folders are not; said here, as the platform's "not found" would read as a missing segment.
            string? folder = options.Path is null ? null : System.IO.Path.GetDirectoryName(options.Path);
            if (options.Mode != OpenMode.OpenExisting && !string.IsNullOrEmpty(folder) && !Directory.Exists(folder))
            {
                throw Errors.Create(SharedMemoryError.FileInvalid, options.Path, nameof(Resources.Messages.PathFolderMissing), options.Path, folder);
            }

            SegmentName name = platform.ParseName(options.Name, options.Scope);
            while (true)
            {
                ICrossProcessLock crossProcessLock = platform.OpenLock(name, Policy(options));
                bool keep = false;
                try
                {
                    // A lock retired by a removal belongs to a segment that is gone: start again with fresh names.
                    if (crossProcessLock.IsRetired) continue;
                    SharedMemorySegment? segment = options.Mode == OpenMode.CreateNew ? null : TryAttachWithoutLock(platform, name, crossProcessLock, options);
                    if (segment is null)
                    {
                        List<string> held = LocksHeldByThisThread;
                        ThrowIfHeld(held, name);
                        LockOutcome outcome = AcquireOrThrow(held, crossProcessLock, name, options.LockTimeout, cancellationToken);
                        try
                        {
                            if (crossProcessLock.IsRetired) continue;
                            segment = OpenUnderLock(platform, name, crossProcessLock, options, headerLength);
                            segment.RecoveredAbandonedLock = outcome == LockOutcome.AcquiredAbandoned;
                        }
                        finally
                        {
                            ReleaseOwned(crossProcessLock, name);
                        }
                    }
                    else if (crossProcessLock.IsRetired)
                    {
                        // Removed while we attached: what we mapped may be the next segment of that name. Start again.
                        segment.Dispose();
                        keep = true; // the segment disposed the lock with itself
                        continue;
                    }

                    keep = true;
                    return segment;
                }
                catch (SharedMemoryException e) when (e.Error != SharedMemoryError.LockTimeout && e.Error != SharedMemoryError.LockReentered && e.Error != SharedMemoryError.Canceled)
                {
                    // A failed call leaves the machine as it found it: no lock name without its segment.
                    if (IndexOf(LocksHeldByThisThread, name) < 0) platform.DiscardUnusedLock(name, options.Path, crossProcessLock);
                    throw;
                }
                finally
                {
                    if (!keep) crossProcessLock.Dispose();
                }
            }
        }

        /// <summary>Takes the lock; dispose the result to release it. Throws <see cref="SharedMemoryError.LockTimeout"/> when the wait runs out.</summary>
        public LockedSegment Lock(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        {
            TimeSpan wait = timeout ?? LockTimeout;
            List<string> held = LocksHeldByThisThread;
            // Before the gate, which this thread would enter again (a monitor is reentrant) if it held the lock.
            ThrowIfHeld(held, _name);
            if (!Monitor.TryEnter(_inProcessGate) && !Monitor.TryEnter(_inProcessGate, wait)) throw Errors.Create(SharedMemoryError.LockTimeout, Name, nameof(Resources.Messages.LockTimeout), Name, wait.TotalSeconds);
            try
            {
                ICrossProcessLock crossProcessLock = _lock ?? throw Closed();
                LockOutcome outcome = AcquireOrThrow(held, crossProcessLock, _name, wait, cancellationToken);
                if (IsFileBacked) ThrowIfTruncated(crossProcessLock);
                return new LockedSegment(this, outcome == LockOutcome.AcquiredAbandoned);
            }
            catch
            {
                Monitor.Exit(_inProcessGate);
                throw;
            }
        }

        /// <summary>
        /// Removes the segment's name (and its lock's) so that the next open creates a new one, then closes
        /// this handle. Processes that still have it mapped keep their memory until they close it. On Windows
        /// names disappear with the last handle, so this only closes ours. Returns whether the lock was abandoned.
        /// </summary>
        public bool Remove(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        {
            bool abandoned;
            using (LockedSegment locked = Lock(timeout, cancellationToken))
            {
                abandoned = locked.WasAbandoned;
                _lock!.Retire();
                _platform.Unlink(_name, IsFileBacked);
            }

            Dispose();
            return abandoned;
        }

        /// <summary>Unmaps the view and closes the handles; waits for an operation of this process in progress.</summary>
        public void Dispose()
        {
            lock (_inProcessGate)
            {
                if (_header is not null && _mapping is not null) _lastVersion = _header.Version;
                _mapping?.Dispose();
                _mapping = null;
                _lock?.Dispose();
                _lock = null;
            }
        }

        /// <inheritdoc/>
        public override string ToString() => Name;

        internal void ReleaseLock()
        {
            try
            {
                ReleaseOwned(_lock!, _name);
            }
            finally
            {
                Monitor.Exit(_inProcessGate);
            }
        }

        /// <summary>
        /// Touching a page of a file-backed mapping beyond the file's end kills the process (SIGBUS), so the
        /// length is checked under the lock, where cooperating processes cannot change it. A process that
        /// truncates the file without taking the lock can still do so between this check and the access.
        /// </summary>
        private void ThrowIfTruncated(ICrossProcessLock crossProcessLock)
        {
            long backing = _mapping!.BackingLength;
            if (backing >= _mapping.Length) return;
            ReleaseOwned(crossProcessLock, _name);
            throw Truncated(backing);
        }

        private SharedMemoryException Truncated(long backing) =>
            Errors.Create(SharedMemoryError.Truncated, Path, nameof(Resources.Messages.Truncated), Path, Name, backing, _mapping!.Length);

        private uint ChangeCounterOrClosed()
        {
            lock (_inProcessGate)
            {
                if (_mapping is null) throw Closed();
                return _header?.ChangeCounter ?? throw Errors.Create(SharedMemoryError.NotAValueSegment, Name, nameof(Resources.Messages.NotAValueSegment), Name);
            }
        }

        private long? ReadWithoutLock(Func<long?> read)
        {
            lock (_inProcessGate)
            {
                if (_mapping is null) return null;
                try
                {
                    return read();
                }
                catch (SharedMemoryException)
                {
                    return null; // caught mid-change without the lock, or damaged: nothing to show
                }
            }
        }

        private void UncountRoomWaiter()
        {
            lock (_inProcessGate)
            {
                if (_mapping is not null) _header!.CountRoomWaiter(waiting: false);
            }
        }

        /// <summary>The queue, or <see cref="SharedMemoryError.WrongKind"/> for a segment of another kind.</summary>
        internal MessageQueue RequireQueue() =>
            Queue ?? throw Errors.Create(SharedMemoryError.WrongKind, Name, nameof(Resources.Messages.WrongKind), Name, Kind?.ToString() ?? "raw", SegmentKind.Queue);

        /// <summary>The queue, for a take; call holding the in-process gate, which keeps the mapping in place.</summary>
        private MessageQueue QueueToTake()
        {
            if (_mapping is null) throw Closed();
            MessageQueue queue = RequireQueue();
            // Under the lock this check keeps cooperating processes from truncating meanwhile; a take has no lock,
            // and the module never truncates, so it guards against the same other programs the lock cannot stop.
            long backing = IsFileBacked ? _mapping.BackingLength : _mapping.Length;
            if (backing < _mapping.Length) throw Truncated(backing);
            return queue;
        }

        /// <summary>A take made room in the queue: bump the change counter and wake the producers waiting for room, if any.</summary>
        private void Taken()
        {
            if (_header!.NoteTake()) _platform.WakeAll(Memory, SegmentHeader.ChangeCounterOffset);
        }

        internal SharedMemoryException Closed() => Errors.Create(SharedMemoryError.HandleClosed, Name, nameof(Resources.Messages.HandleClosed), Name);

        /// <summary>
        /// Opens an existing segment without taking its lock, so that opening never waits for a process that
        /// holds it. That is safe once the header is complete: its magic is written last, and what locates the
        /// data never changes afterwards. Returns null when the lock is needed: the segment does not exist yet
        /// (it may be created) or has no header yet (it may be being initialised).
        /// </summary>
        private static SharedMemorySegment? TryAttachWithoutLock(IPlatform platform, SegmentName name, ICrossProcessLock crossProcessLock, SegmentOptions options)
        {
            IMapping mapping;
            try
            {
                mapping = options.Path is not null
                    ? platform.OpenFile(name, options.Path, OpenMode.OpenExisting, null, Policy(options), out _)
                    : platform.OpenNamed(name, OpenMode.OpenExisting, null, Policy(options), out _);
            }
            catch (SharedMemoryException e) when (e.Error == SharedMemoryError.NotFound && options.Mode != OpenMode.OpenExisting)
            {
                return null;
            }
            catch (SharedMemoryException e) when (e.Error == SharedMemoryError.NotFound)
            {
                throw SegmentNotFound(options, e);
            }

            if (options.Format != SegmentFormat.Raw && !SegmentHeader.HasMagic(new MappedMemory(mapping.Address, mapping.Length)))
            {
                mapping.Dispose();
                return null;
            }

            return Attach(platform, name, crossProcessLock, options, mapping, created: false);
        }

        private static SharedMemorySegment OpenUnderLock(IPlatform platform, SegmentName name, ICrossProcessLock crossProcessLock, SegmentOptions options, long headerLength)
        {
            long? length = options.Mode == OpenMode.OpenExisting ? null : options.Size + headerLength;
            IMapping mapping;
            bool created;
            try
            {
                mapping = options.Path is not null
                    ? platform.OpenFile(name, options.Path, options.Mode, length, Policy(options), out created)
                    : platform.OpenNamed(name, options.Mode, length, Policy(options), out created);
            }
            catch (SharedMemoryException e) when (e.Error == SharedMemoryError.NotFound && options.Mode == OpenMode.CreateOrOpen)
            {
                throw Errors.Create(SharedMemoryError.SizeRequired, options.Name, nameof(Resources.Messages.SizeRequired), options.Name);
            }
            catch (SharedMemoryException e) when (e.Error == SharedMemoryError.NotFound)
            {
                throw SegmentNotFound(options, e);
            }

            return Attach(platform, name, crossProcessLock, options, mapping, created);
        }

        /// <summary>Initialises the header of a segment just created, or checks that of an existing one; owns <paramref name="mapping"/>.</summary>
        private static SharedMemorySegment Attach(IPlatform platform, SegmentName name, ICrossProcessLock crossProcessLock, SegmentOptions options, IMapping mapping, bool created)
        {
            try
            {
                var memory = new MappedMemory(mapping.Address, mapping.Length);
                SegmentFormat format = options.Format;
                long size;
                if (created)
                {
                    if (format == SegmentFormat.Detect) format = SegmentFormat.Value;
                    if (format == SegmentFormat.Value) new SegmentHeader(memory).Initialize(mapping.Length - SegmentHeader.Size, options.Kind, options.Checksum ?? ChecksumAlgorithm.LaneSum);
                    size = mapping.Length - (format == SegmentFormat.Value ? SegmentHeader.Size : 0);
                }
                else
                {
                    bool hasHeader = SegmentHeader.HasMagic(memory);
                    if (format == SegmentFormat.Detect) format = hasHeader ? SegmentFormat.Value : SegmentFormat.Raw;
                    if (format == SegmentFormat.Value && !hasHeader)
                    {
                        throw Errors.Create(SharedMemoryError.NotAValueSegment, options.Name, nameof(Resources.Messages.NotAValueSegment), options.Name);
                    }

                    SegmentHeader? header = format == SegmentFormat.Value ? new SegmentHeader(memory) : null;
                    size = header?.ValidatedCapacity(options.Name) ?? mapping.Length;
                    ChecksumAlgorithm? existing = header?.ValidatedChecksum(options.Name);
                    if (options.Checksum.HasValue && existing != options.Checksum)
                    {
                        throw Errors.Create(SharedMemoryError.ChecksumDiffers, options.Name, nameof(Resources.Messages.ChecksumDiffers), options.Name, existing?.ToString() ?? "no checksum (raw)", options.Checksum.Value);
                    }

                    if (options.Size.HasValue && options.Size.Value > size)
                    {
                        throw Errors.Create(SharedMemoryError.SizeExceedsExisting, options.Size.Value, nameof(Resources.Messages.SizeExceedsExisting), options.Name, size, options.Size.Value);
                    }
                }

                return new SharedMemorySegment(platform, name, mapping, crossProcessLock, format, size, created, options.Path is not null, options.LockTimeout);
            }
            catch
            {
                mapping.Dispose();
                throw;
            }
        }

        /// <summary>The platform's "no such object" in the user's terms: the segment's name, not the OS path.</summary>
        private static SharedMemoryException SegmentNotFound(SegmentOptions options, SharedMemoryException e) =>
            new SharedMemoryException(SharedMemoryError.NotFound, Errors.Format(nameof(Resources.Messages.SegmentNotFound), options.Name), options.Name, e.NativeErrorCode, e);

        private static AccessPolicy Policy(SegmentOptions options) => new AccessPolicy(options.Access, options.AllowOtherOwner);

        /// <summary>Takes the cross-process lock and notes it in <paramref name="held"/>; the caller has checked, with <see cref="ThrowIfHeld"/>, that this thread does not hold it already.</summary>
        private static LockOutcome AcquireOrThrow(List<string> held, ICrossProcessLock crossProcessLock, SegmentName name, TimeSpan timeout, CancellationToken cancellationToken)
        {
            LockOutcome outcome;
            try
            {
                outcome = crossProcessLock.Acquire(timeout, cancellationToken);
            }
            catch (OperationCanceledException e)
            {
                throw new SharedMemoryException(SharedMemoryError.Canceled, Errors.Format(nameof(Resources.Messages.Canceled), name.Name), name.Name, 0, e);
            }

            if (outcome == LockOutcome.TimedOut)
            {
                throw Errors.Create(SharedMemoryError.LockTimeout, name.Name, nameof(Resources.Messages.LockTimeout), name.Name, timeout.TotalSeconds);
            }

            held.Add(name.LockName);
            return outcome;
        }

        private static void ReleaseOwned(ICrossProcessLock crossProcessLock, SegmentName name)
        {
            List<string> held = LocksHeldByThisThread;
            int at = IndexOf(held, name);
            if (at >= 0) held.RemoveAt(at);
            crossProcessLock.Release();
        }

        /// <summary>This thread's held locks, read once per operation: each read of a thread-static field here went through the C library's thread-local lookup.</summary>
        private static List<string> LocksHeldByThisThread => locksHeldByThisThread ??= new List<string>(2);

        private static void ThrowIfHeld(List<string> held, SegmentName name)
        {
            if (IndexOf(held, name) >= 0) throw Errors.Create(SharedMemoryError.LockReentered, name.Name, nameof(Resources.Messages.LockReentered), name.Name);
        }

        /// <summary>Where <paramref name="held"/> names the lock, searched from the most recent; -1 if nowhere.</summary>
        private static int IndexOf(List<string> held, SegmentName name)
        {
            for (int i = held.Count - 1; i >= 0; i--)
            {
                if (string.Equals(held[i], name.LockName, StringComparison.Ordinal)) return i;
            }

            return -1;
        }
    }
}
