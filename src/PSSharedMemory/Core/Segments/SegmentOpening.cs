using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using PSSharedMemory.Platform;

namespace PSSharedMemory
{
    /// <summary>
    /// How a segment is created or opened: the name and its lock from the platform, attaching without the lock
    /// where the segment is complete, else under it, and the header initialised or checked; a failed open leaves
    /// no lock name behind.
    /// </summary>
    internal static class SegmentOpening
    {
        /// <summary>Creates or opens a segment as <paramref name="options"/> say, on <paramref name="platform"/>.</summary>
        public static SharedMemorySegment Open(IPlatform platform, SegmentOptions options, CancellationToken cancellationToken)
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
                        List<string> held = ThreadLocks.Held;
                        ThreadLocks.ThrowIfHeld(held, name);
                        LockOutcome outcome = ThreadLocks.Acquire(held, crossProcessLock, name, options.LockTimeout, cancellationToken);
                        try
                        {
                            if (crossProcessLock.IsRetired) continue;
                            segment = OpenUnderLock(platform, name, crossProcessLock, options, headerLength);
                            segment.RecoveredAbandonedLock = outcome == LockOutcome.AcquiredAbandoned;
                        }
                        finally
                        {
                            ThreadLocks.Release(crossProcessLock, name);
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
                    if (!ThreadLocks.Holds(name)) platform.DiscardUnusedLock(name, options.Path, crossProcessLock);
                    throw;
                }
                finally
                {
                    if (!keep) crossProcessLock.Dispose();
                }
            }
        }

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
    }
}
