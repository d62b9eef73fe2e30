using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using PSSharedMemory.Platform;

namespace PSSharedMemory
{
    /// <summary>Lists the segments that exist on the machine, reading each one's header without locking or mapping it.</summary>
    public static class SegmentCatalog
    {
        /// <summary>Every segment the platform can list (on Linux, the objects in /dev/shm; elsewhere none).</summary>
        public static IEnumerable<ExistingSegment> List()
        {
            foreach (ExistingSegment segment in Platforms.Current.ListSegments())
            {
                Describe(segment);
                yield return segment;
            }
        }

        private static void Describe(ExistingSegment segment)
        {
            var bytes = new byte[SegmentHeader.Size];
            int read;
            try
            {
                using var stream = new FileStream(segment.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                read = stream.Read(bytes, 0, bytes.Length);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return; // another user's object, or removed meanwhile: list it without details
            }

            // The header is parsed by the same code that parses mapped segments, over a pinned copy of its bytes.
            GCHandle pin = GCHandle.Alloc(bytes, GCHandleType.Pinned);
            try
            {
                var memory = new MappedMemory(pin.AddrOfPinnedObject(), read);
                if (!SegmentHeader.HasMagic(memory))
                {
                    segment.Format = SegmentFormat.Raw;
                    segment.Size = segment.Length;
                    return;
                }

                var header = new SegmentHeader(memory);
                segment.Format = SegmentFormat.Value;
                segment.Version = header.Version;
                SegmentKind kind = header.Kind;
                // Another program may have written anything there: only a kind the layout defines is shown.
                if (kind == SegmentKind.Value || kind == SegmentKind.Queue) segment.Kind = kind;
                segment.CreationTime = header.Created;
                ulong capacity = header.DeclaredCapacity;
                segment.Size = capacity <= (ulong)Math.Max(0, segment.Length - SegmentHeader.Size) ? (long)capacity : null;
            }
            finally
            {
                pin.Free();
            }
        }
    }
}
