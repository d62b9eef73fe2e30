using System;

namespace PSSharedMemory.Platform.Unix
{
    /// <summary>An mmap'd view of a whole shm object or file.</summary>
    internal sealed class UnixMapping : IMapping
    {
        private IntPtr _address;

        public UnixMapping(IntPtr address, long length, string path)
        {
            _address = address;
            Length = length;
            Path = path;
        }

        public IntPtr Address => _address != IntPtr.Zero ? _address : throw new ObjectDisposedException(nameof(UnixMapping));

        public long Length { get; }

        public string Path { get; }

        public void Dispose()
        {
            if (_address != IntPtr.Zero)
            {
                UnixNative.MUnmap(_address, (UIntPtr)(ulong)Length);
                _address = IntPtr.Zero;
            }
        }
    }
}
