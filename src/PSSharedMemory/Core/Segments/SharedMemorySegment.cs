using System;
using System.Collections.Generic;
using System.Threading;
using PSSharedMemory.Platform;

namespace PSSharedMemory
{
    /// <summary>
    /// A named mapping and the cross-process lock that guards it: what a user holds. Open one with
    /// <see cref="Open(SegmentOptions, System.Threading.CancellationToken)"/>, do work under the lock with
    /// <see cref="Lock"/>, and dispose it to unmap (the segment itself lives on until <see cref="Remove"/> or,
    /// on Windows, until the last process closes it). A queue's operations are in <see cref="SegmentQueueOperations"/>
    /// and waiting for a change in <see cref="SegmentWaiting"/>.
    /// </summary>
    public sealed class SharedMemorySegment : IDisposable
    {
        private readonly IPlatform _platform;
        private readonly SegmentName _name;
        private readonly object _inProcessGate = new object();
        private IMapping? _mapping;
        private TimeSpan _waitSpin = SegmentWaiting.DefaultSpin;
        private ICrossProcessLock? _lock;
        private SegmentHeader? _header;
        private ulong? _lastVersion;

        internal SharedMemorySegment(IPlatform platform, SegmentName name, IMapping mapping, ICrossProcessLock crossProcessLock, SegmentFormat format, long size, bool created, bool fileBacked, TimeSpan lockTimeout)
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
        public bool RecoveredAbandonedLock { get; internal set; }

        internal MappedMemory Memory { get; }

        internal long DataOffset { get; }

        internal SegmentHeader? Header => _header;

        internal MessageQueue? Queue { get; }

        internal IPlatform Platform => _platform;

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
                if (value < TimeSpan.Zero || value > SegmentWaiting.MaxSpin) throw new ArgumentOutOfRangeException(nameof(value), value, $"The spin must be between 0 and {SegmentWaiting.MaxSpin.TotalSeconds} s.");
                _waitSpin = value;
            }
        }

        /// <summary>Creates or opens a segment as <paramref name="options"/> say.</summary>
        public static SharedMemorySegment Open(SegmentOptions options, CancellationToken cancellationToken = default) =>
            SegmentOpening.Open(Platforms.Current, options, cancellationToken);

        /// <summary>Takes the lock; dispose the result to release it. Throws <see cref="SharedMemoryError.LockTimeout"/> when the wait runs out.</summary>
        public LockedSegment Lock(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        {
            TimeSpan wait = timeout ?? LockTimeout;
            List<string> held = ThreadLocks.Held;
            // Before the gate, which this thread would enter again (a monitor is reentrant) if it held the lock.
            ThreadLocks.ThrowIfHeld(held, _name);
            if (!Monitor.TryEnter(_inProcessGate) && !Monitor.TryEnter(_inProcessGate, wait)) throw Errors.Create(SharedMemoryError.LockTimeout, Name, nameof(Resources.Messages.LockTimeout), Name, wait.TotalSeconds);
            try
            {
                ICrossProcessLock crossProcessLock = _lock ?? throw Closed();
                LockOutcome outcome = ThreadLocks.Acquire(held, crossProcessLock, _name, wait, cancellationToken);
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

        /// <summary>Keeps Dispose from unmapping what a take without the lock is using; held for moments only.</summary>
        internal object Gate => _inProcessGate;

        /// <summary>
        /// Sleeps on the change counter for up to <paramref name="slice"/> unless it has moved past
        /// <paramref name="observed"/>, counted among the waiters a writer wakes. The gate keeps Dispose from
        /// unmapping the word slept on; it is given up between slices.
        /// </summary>
        internal void SleepUnlessChanged(uint observed, TimeSpan slice)
        {
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

        internal void ReleaseLock()
        {
            try
            {
                ThreadLocks.Release(_lock!, _name);
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
            ThreadLocks.Release(crossProcessLock, _name);
            throw Truncated(backing);
        }

        private SharedMemoryException Truncated(long backing) =>
            Errors.Create(SharedMemoryError.Truncated, Path, nameof(Resources.Messages.Truncated), Path, Name, backing, _mapping!.Length);

        internal uint ChangeCounterOrClosed()
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

        internal void UncountRoomWaiter()
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
        internal MessageQueue QueueToTake()
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
        internal void Taken()
        {
            if (_header!.NoteTake()) _platform.WakeAll(Memory, SegmentHeader.ChangeCounterOffset);
        }

        internal SharedMemoryException Closed() => Errors.Create(SharedMemoryError.HandleClosed, Name, nameof(Resources.Messages.HandleClosed), Name);
    }
}
