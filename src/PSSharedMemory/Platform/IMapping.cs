using System;

namespace PSSharedMemory.Platform
{
    /// <summary>A view of a whole mapping in this process; disposing it unmaps the view and closes the handle.</summary>
    internal interface IMapping : IDisposable
    {
        IntPtr Address { get; }

        /// <summary>The real length of the view: every access is checked against this.</summary>
        long Length { get; }

        /// <summary>Where the data lives: the file, the shm object, or the kernel object name.</summary>
        string Path { get; }

        /// <summary>
        /// The current length of the file behind a file-backed mapping (a system call), so that a file another
        /// process truncated is found before a page beyond its end is touched (SIGBUS on Unix). For mappings
        /// whose backing cannot shrink, <see cref="Length"/>.
        /// </summary>
        long BackingLength { get; }
    }
}
