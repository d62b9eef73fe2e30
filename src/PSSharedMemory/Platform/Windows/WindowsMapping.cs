using System;

namespace PSSharedMemory.Platform.Windows
{
    /// <summary>A view of a whole file-mapping object, and the handles it keeps open.</summary>
    internal sealed class WindowsMapping : IMapping
    {
        private IntPtr _view;
        private IntPtr _mapping;
        private IntPtr _file;

        public WindowsMapping(IntPtr mapping, IntPtr view, long length, string path, IntPtr file)
        {
            _mapping = mapping;
            _view = view;
            _file = file;
            Length = length;
            Path = path;
        }

        public IntPtr Address => _view != IntPtr.Zero ? _view : throw new ObjectDisposedException(nameof(WindowsMapping));

        public long Length { get; }

        public string Path { get; }

        /// <summary>Windows refuses to truncate a file while a view of it is mapped, so the length cannot shrink.</summary>
        public long BackingLength => Length;

        public void Dispose()
        {
            if (_view != IntPtr.Zero) WindowsNative.UnmapViewOfFile(_view);
            if (_mapping != IntPtr.Zero) WindowsNative.CloseHandle(_mapping);
            if (_file != IntPtr.Zero) WindowsNative.CloseHandle(_file);
            _view = _mapping = _file = IntPtr.Zero;
        }
    }
}
