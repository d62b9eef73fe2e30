using System;

namespace PSSharedMemory.Commands
{
    /// <summary>A segment a command works on, closed at the end only when the command opened it itself.</summary>
    internal readonly struct SegmentUse : IDisposable
    {
        private readonly bool _owned;

        public SegmentUse(SharedMemorySegment segment, bool owned)
        {
            Segment = segment;
            _owned = owned;
        }

        public SharedMemorySegment Segment { get; }

        public void Dispose()
        {
            if (_owned) Segment.Dispose();
        }
    }
}
