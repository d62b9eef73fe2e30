using System;
using System.Collections.Generic;

namespace PSSharedMemory.Platform
{
    /// <summary>The seam between the portable core and an operating system's mappings and locks.</summary>
    internal interface IPlatform
    {
        /// <summary>The largest mapping this process can make.</summary>
        long MaxMappingLength { get; }

        /// <summary>Validates a name and derives the operating-system names; throws <see cref="SharedMemoryError.NameInvalid"/>.</summary>
        SegmentName ParseName(string name, SegmentScope scope);

        /// <summary>
        /// Creates or opens the named memory-backed mapping. <paramref name="length"/> is the length to create
        /// with (null: open only). Created tells whether this call made it, decided in one atomic step.
        /// </summary>
        IMapping OpenNamed(SegmentName name, OpenMode mode, long? length, AccessPolicy policy, out bool created);

        /// <summary>The same for a mapping of a regular file, which keeps its own length when it exists.</summary>
        IMapping OpenFile(SegmentName name, string path, OpenMode mode, long? length, AccessPolicy policy, out bool created);

        ICrossProcessLock OpenLock(SegmentName name, AccessPolicy policy);

        /// <summary>Removes the names of the mapping and its lock so that the next open creates new ones.</summary>
        void Unlink(SegmentName name, bool fileBacked);

        /// <summary>
        /// After an open failed, so that a failed call leaves nothing behind: removes the lock's name when this
        /// open made it, or when no mapping of the name (or file at <paramref name="path"/>) exists, taking the
        /// lock without waiting and retiring it first, as a removal does. A lock another process holds is in
        /// use and stays. Windows names go with their last handle: nothing to do there.
        /// </summary>
        void DiscardUnusedLock(SegmentName name, string? path, ICrossProcessLock crossProcessLock);

        /// <summary>
        /// Sleeps until the 32-bit word at <paramref name="offset"/> differs from <paramref name="observed"/>, a
        /// wake-up arrives, or <paramref name="timeout"/> passes; may return early. Linux sleeps on the word
        /// itself (futex); other systems poll it.
        /// </summary>
        void WaitForChange(MappedMemory memory, long offset, uint observed, TimeSpan timeout);

        /// <summary>Wakes every process sleeping in <see cref="WaitForChange"/> on that word.</summary>
        void WakeAll(MappedMemory memory, long offset);

        /// <summary>The segments that exist on the machine, where the platform can list them.</summary>
        IEnumerable<ExistingSegment> ListSegments();
    }
}
