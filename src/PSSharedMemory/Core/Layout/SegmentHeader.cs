using System;
using System.Threading;

namespace PSSharedMemory
{
    /// <summary>
    /// The byte layout at the start of a value segment (docs/layout.md describes it for other languages).
    /// Little-endian, 128 bytes, every word naturally aligned:
    /// <code>
    ///   0 u32 magic "PSSM"        4 u16 layout version   6 u16 header size (128)
    ///   8 u64 capacity of the data area that follows the header
    ///  16 u64 version, bumped by every write
    ///  24 u32 segment kind (0 = value)   28 u32 index of the active value descriptor (0 or 1)
    ///  32 descriptor 0   64 descriptor 1   (each: u64 offset, u64 length, u32 kind, u32 crc32, u64 version)
    ///  96 u64 creation time, Unix milliseconds
    /// 104 u32 change counter, bumped after every change, that waiters sleep on   108 u32 number of waiters
    /// 112 u32 checksum algorithm (0 = CRC-32, 1 = LaneSum; layout 2, zero and meaning CRC-32 in layout 1)
    /// 116 u32 queues: producers waiting for room, for whom consumers bump the change counter
    /// 120..127 reserved, zero
    /// A queue (segment kind 1) uses bytes 32..55 for its ring instead of the descriptors: see QueueRing.
    /// </code>
    /// A value is committed by writing its payload where it does not overlap the current one, filling the
    /// inactive descriptor, then flipping the active index with one aligned store: a writer that dies at
    /// any point leaves either the old value or the new one, never a mix.
    /// </summary>
    internal sealed class SegmentHeader
    {
        public const int Size = 128;
        public const uint Magic = 0x4D535350; // "PSSM" read as little-endian bytes
        public const ushort LayoutVersion = 2;

        /// <summary>Layout 1 is layout 2 without the checksum algorithm field: always CRC-32.</summary>
        private const ushort FirstLayoutVersion = 1;

        private const int MagicOffset = 0;
        private const int LayoutVersionOffset = 4;
        private const int HeaderSizeOffset = 6;
        private const int CapacityOffset = 8;
        private const int VersionOffset = 16;
        private const int SegmentKindOffset = 24;
        private const int ActiveDescriptorOffset = 28;
        private const int DescriptorsOffset = 32;
        private const int DescriptorSize = 32;
        private const int CreatedOffset = 96;
        public const int ChangeCounterOffset = 104;
        public const int WaitersOffset = 108;
        private const int ChecksumOffset = 112;
        public const int RoomWaitersOffset = 116;

        private const int DescOffset = 0;
        private const int DescLength = 8;
        private const int DescKind = 16;
        private const int DescCrc = 20;
        private const int DescVersion = 24;

        /// <summary>Large enough that chunking costs nothing measurable, small enough that Ctrl+C and progress come several times a second even on slow memory.</summary>
        private const int TransferChunk = 4 << 20;

        private readonly MappedMemory _memory;

        public SegmentHeader(MappedMemory memory)
        {
            _memory = memory;
        }

        public static bool FitsIn(MappedMemory memory) => memory.Length >= Size;

        public static bool HasMagic(MappedMemory memory) => FitsIn(memory) && memory.ReadUInt32(MagicOffset) == Magic;

        public ulong Version => _memory.ReadUInt64(VersionOffset);

        /// <summary>The capacity as the header states it, unchecked: only for display of segments not mapped.</summary>
        public ulong DeclaredCapacity => _memory.ReadUInt64(CapacityOffset);

        public DateTimeOffset Created => DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Min(_memory.ReadUInt64(CreatedOffset), 253402300799999UL));

        public SegmentKind Kind => (SegmentKind)_memory.ReadUInt32(SegmentKindOffset);

        /// <summary>The algorithm that checks values and messages, after checking the field: another process may have written anything.</summary>
        public ChecksumAlgorithm ValidatedChecksum(string segmentName)
        {
            if (_memory.ReadUInt16(LayoutVersionOffset) == FirstLayoutVersion) return ChecksumAlgorithm.Crc32;
            uint algorithm = _memory.ReadUInt32(ChecksumOffset);
            if (algorithm > (uint)ChecksumAlgorithm.LaneSum) throw Corrupt(segmentName, "checksum algorithm");
            return (ChecksumAlgorithm)algorithm;
        }

        public uint ChangeCounter => _memory.ReadUInt32(ChangeCounterOffset);

        /// <summary>Marks a change for waiters; true when some process is waiting and must be woken.</summary>
        public bool NoteChange()
        {
            _memory.IncrementUInt32(ChangeCounterOffset);
            return _memory.ReadUInt32(WaitersOffset) != 0;
        }

        /// <summary>
        /// Marks a take from a queue: a change for waiters only when a producer said it waits for room. Other
        /// consumers wait for messages, which producers announce; waking them for every take made four
        /// consumers race for each message on two cores. True when some process must be woken.
        /// </summary>
        public bool NoteTake() => _memory.ReadUInt32(RoomWaitersOffset) != 0 && NoteChange();

        /// <summary>Counts a producer in (or out) of those waiting for room in a queue.</summary>
        public void CountRoomWaiter(bool waiting)
        {
            if (waiting) _memory.IncrementUInt32(RoomWaitersOffset);
            else _memory.DecrementUInt32(RoomWaitersOffset);
        }

        public void Initialize(long capacity, SegmentKind kind, ChecksumAlgorithm checksum)
        {
            _memory.Clear(0, Size);
            _memory.WriteUInt32(SegmentKindOffset, (uint)kind);
            _memory.WriteUInt32(ChecksumOffset, (uint)checksum);
            _memory.WriteUInt16(LayoutVersionOffset, LayoutVersion);
            _memory.WriteUInt16(HeaderSizeOffset, Size);
            _memory.WriteUInt64(CapacityOffset, (ulong)capacity);
            _memory.WriteUInt64(CreatedOffset, (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            _memory.WriteUInt32(MagicOffset, Magic);
        }

        /// <summary>The data area's capacity after checking every field that locates it; throws <see cref="SharedMemoryError.Corrupted"/> otherwise.</summary>
        public long ValidatedCapacity(string segmentName)
        {
            if (_memory.ReadUInt32(MagicOffset) != Magic) throw Corrupt(segmentName, "magic");
            ushort layout = _memory.ReadUInt16(LayoutVersionOffset);
            if (layout != LayoutVersion && layout != FirstLayoutVersion) throw Errors.Create(SharedMemoryError.Corrupted, segmentName, nameof(Resources.Messages.UnsupportedLayout), segmentName, layout, LayoutVersion);
            if (_memory.ReadUInt16(HeaderSizeOffset) != Size) throw Corrupt(segmentName, "header size");
            if (_memory.ReadUInt32(SegmentKindOffset) > (uint)SegmentKind.Queue) throw Corrupt(segmentName, "segment kind");
            ulong capacity = _memory.ReadUInt64(CapacityOffset);
            if (capacity > (ulong)(_memory.Length - Size)) throw Corrupt(segmentName, "capacity");
            return (long)capacity;
        }

        /// <summary>The current value's length for display, read without the lock: 0 with no value, null when the descriptor is not plausible.</summary>
        public long? CurrentValueLength(long capacity)
        {
            uint active = _memory.ReadUInt32(ActiveDescriptorOffset);
            if (active > 1) return null;
            long d = DescriptorsOffset + (active * DescriptorSize);
            if ((PayloadKind)_memory.ReadUInt32(d + DescKind) == PayloadKind.None) return 0;
            ulong length = _memory.ReadUInt64(d + DescLength);
            return length <= (ulong)capacity ? (long)length : null;
        }

        public StoredValue? ReadValue(string segmentName, Action<long, long>? progress = null, CancellationToken cancellationToken = default)
        {
            if (LocateValue(segmentName) is not ValueLocation value) return null;
            var payload = new byte[value.Length];
            CopyOutChecked(segmentName, value, payload, 0, progress, cancellationToken);
            return new StoredValue(value.Kind, payload, value.Version);
        }

        /// <summary>Reads the value into the caller's buffer: its length, or -1 when none was written.</summary>
        public int ReadValue(string segmentName, byte[] buffer, int index, out PayloadKind kind, out ulong version)
        {
            kind = PayloadKind.None;
            version = 0;
            if (LocateValue(segmentName) is not ValueLocation value) return -1;
            if (value.Length > buffer.Length - index)
            {
                throw Errors.Create(SharedMemoryError.ValueTooLarge, segmentName, nameof(Resources.Messages.ValueBufferTooSmall), value.Length, segmentName, buffer.Length - index);
            }

            CopyOutChecked(segmentName, value, buffer, index, null, CancellationToken.None);
            kind = value.Kind;
            version = value.Version;
            return value.Length;
        }

        /// <summary>The current value's descriptor after checking it against the data area; null when no value was written.</summary>
        private ValueLocation? LocateValue(string segmentName)
        {
            long capacity = ValidatedCapacity(segmentName);
            RequireValueKind(segmentName);
            uint active = _memory.ReadUInt32(ActiveDescriptorOffset);
            if (active > 1) throw Corrupt(segmentName, "active descriptor");
            long d = DescriptorsOffset + (active * DescriptorSize);
            var kind = (PayloadKind)_memory.ReadUInt32(d + DescKind);
            if (kind == PayloadKind.None) return null;
            if (!PayloadKinds.IsValue(kind)) throw Corrupt(segmentName, "payload kind");
            ulong offset = _memory.ReadUInt64(d + DescOffset);
            ulong length = _memory.ReadUInt64(d + DescLength);
            if (offset > (ulong)capacity || length > (ulong)capacity - offset || length > int.MaxValue) throw Corrupt(segmentName, "value location");
            return new ValueLocation(kind, (long)offset, (int)length, _memory.ReadUInt32(d + DescCrc), _memory.ReadUInt64(d + DescVersion));
        }

        private void CopyOutChecked(string segmentName, ValueLocation value, byte[] destination, int index, Action<long, long>? progress, CancellationToken cancellationToken)
        {
            var checksum = new PayloadChecksum(ValidatedChecksum(segmentName));
            Transfer(value.Length, progress, cancellationToken, (done, count) => checksum.CopyOut(_memory, Size + value.Offset + done, destination, index + done, count));
            // The sum runs over our private copy, so no other process can change the bytes after they pass.
            if (checksum.Value != value.Checksum) throw Corrupt(segmentName, "checksum");
        }

        public ulong WriteValue(string segmentName, PayloadKind kind, byte[] payload, Action<long, long>? progress = null, CancellationToken cancellationToken = default)
        {
            if (!PayloadKinds.IsValue(kind)) throw new ArgumentOutOfRangeException(nameof(kind));
            long capacity = ValidatedCapacity(segmentName);
            RequireValueKind(segmentName);
            uint active = _memory.ReadUInt32(ActiveDescriptorOffset);
            if (active > 1) active = 0; // a damaged index is repaired by the next complete write

            long offset = PlaceBesideCurrent(segmentName, capacity, active, payload.LongLength);
            var checksum = new PayloadChecksum(ValidatedChecksum(segmentName));
            ulong version = Version + 1;

            Action<string>? pause = FaultInjection.Pause;
            // Halfway, rounded down to whole 64-byte steps: only the last piece of a checksum may be partial.
            int half = (payload.Length / 2) & ~63;
            Transfer(payload.Length, progress, cancellationToken, (done, count) =>
            {
                if (pause is not null && done <= half && half < done + count)
                {
                    // The crash tests stop the writer halfway through the copy.
                    checksum.CopyIn(_memory, Size + offset + done, payload, done, half - done);
                    pause("mid-copy");
                    checksum.CopyIn(_memory, Size + offset + half, payload, half, done + count - half);
                }
                else
                {
                    checksum.CopyIn(_memory, Size + offset + done, payload, done, count);
                }
            });
            pause?.Invoke("copied");
            uint crc = checksum.Value;

            uint next = 1 - active;
            long d = DescriptorsOffset + (next * DescriptorSize);
            _memory.WriteUInt64(d + DescOffset, (ulong)offset);
            _memory.WriteUInt64(d + DescLength, (ulong)payload.LongLength);
            pause?.Invoke("descriptor-half");
            _memory.WriteUInt32(d + DescKind, (uint)kind);
            _memory.WriteUInt32(d + DescCrc, crc);
            _memory.WriteUInt64(d + DescVersion, version);
            pause?.Invoke("descriptor");
            _memory.WriteUInt32(ActiveDescriptorOffset, next); // the commit point
            pause?.Invoke("committed");
            _memory.WriteUInt64(VersionOffset, version);
            return version;
        }

        /// <summary>
        /// Copies <paramref name="length"/> bytes in chunks, reporting progress after each and stopping between
        /// them when canceled: a value is copied before it is committed (or after it was checked out), so
        /// stopping here leaves the segment as it was.
        /// </summary>
        private static void Transfer(int length, Action<long, long>? progress, CancellationToken cancellationToken, Action<int, int> copy)
        {
            int done = 0;
            do
            {
                cancellationToken.ThrowIfCancellationRequested();
                int count = Math.Min(TransferChunk, length - done);
                copy(done, count);
                done += count;
                progress?.Invoke(done, length);
            }
            while (done < length);
        }

        public ulong BumpVersion()
        {
            ulong version = Version + 1;
            _memory.WriteUInt64(VersionOffset, version);
            return version;
        }

        /// <summary>
        /// The largest value a data area of <paramref name="capacity"/> bytes takes at every write: half of it, since
        /// the current value stays whole beside the new one until the commit. A larger value could fit into an
        /// empty area once and then be refused by the next write of the same size, so it is refused from the first.
        /// </summary>
        public static long MaxValueLength(long capacity) => capacity / 2;

        /// <summary>
        /// Where a new payload goes so that it does not overlap the current value: at the far end from it. With
        /// every value held to <see cref="MaxValueLength"/>, one end always has room.
        /// </summary>
        private long PlaceBesideCurrent(string segmentName, long capacity, uint active, long length)
        {
            if (length > MaxValueLength(capacity))
            {
                throw Errors.Create(SharedMemoryError.ValueTooLarge, segmentName, nameof(Resources.Messages.ValueTooLarge), length, segmentName, MaxValueLength(capacity), capacity, length * 2);
            }

            long d = DescriptorsOffset + (active * DescriptorSize);
            var currentKind = (PayloadKind)_memory.ReadUInt32(d + DescKind);
            ulong currentOffset = _memory.ReadUInt64(d + DescOffset);
            ulong currentLength = _memory.ReadUInt64(d + DescLength);
            bool currentValid = currentKind != PayloadKind.None && currentOffset <= (ulong)capacity && currentLength <= (ulong)capacity - currentOffset;
            long start = currentValid ? (long)currentOffset : 0;
            long end = currentValid ? (long)(currentOffset + currentLength) : 0;

            if (length <= capacity - end) return capacity - length;
            if (length <= start) return 0;
            // Only a current value larger than half the area (written before values were held to half) leaves no room.
            long available = Math.Max(start, capacity - end);
            throw Errors.Create(SharedMemoryError.ValueTooLarge, segmentName, nameof(Resources.Messages.ValueNoRoomBesideCurrent), length, segmentName, available, capacity, end - start);
        }

        private void RequireValueKind(string segmentName)
        {
            if (Kind != SegmentKind.Value) throw Errors.Create(SharedMemoryError.WrongKind, segmentName, nameof(Resources.Messages.WrongKind), segmentName, Kind, SegmentKind.Value);
        }

        private readonly struct ValueLocation
        {
            public ValueLocation(PayloadKind kind, long offset, int length, uint checksum, ulong version)
            {
                Kind = kind;
                Offset = offset;
                Length = length;
                Checksum = checksum;
                Version = version;
            }

            public PayloadKind Kind { get; }

            public long Offset { get; }

            public int Length { get; }

            public uint Checksum { get; }

            public ulong Version { get; }
        }

        private static SharedMemoryException Corrupt(string segmentName, string field) =>
            Errors.Create(SharedMemoryError.Corrupted, segmentName, nameof(Resources.Messages.HeaderCorrupted), segmentName, field);
    }
}
