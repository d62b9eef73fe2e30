using System;

namespace PSSharedMemory.Platform.Unix
{
    /// <summary>An mmap'd view of a whole shm object or file.</summary>
    internal sealed class UnixMapping : IMapping
    {
        private IntPtr _address;
        private int _fileDescriptor;

        // fileDescriptor: kept open (and closed with the mapping) for files, whose length can change; -1 otherwise.
        public UnixMapping(IntPtr address, long length, string path, int fileDescriptor = -1)
        {
            _address = address;
            Length = length;
            Path = path;
            _fileDescriptor = fileDescriptor;
        }

        public IntPtr Address => _address != IntPtr.Zero ? _address : throw new ObjectDisposedException(nameof(UnixMapping));

        public long Length { get; }

        public string Path { get; }

        public long BackingLength => _fileDescriptor < 0 ? Length : UnixNative.LSeek(_fileDescriptor, 0, UnixNative.SeekEnd);

        public void Dispose()
        {
            if (_address != IntPtr.Zero)
            {
                UnixNative.MUnmap(_address, (UIntPtr)(ulong)Length);
                _address = IntPtr.Zero;
            }

            if (_fileDescriptor >= 0)
            {
                UnixNative.Close(_fileDescriptor);
                _fileDescriptor = -1;
            }
        }
    }
}
