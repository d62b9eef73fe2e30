using System;

namespace PSSharedMemory
{
    /// <summary>The one exception type the core throws; <see cref="Error"/> says what went wrong.</summary>
    [Serializable]
    public sealed class SharedMemoryException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public SharedMemoryException(SharedMemoryError error, string message, object? target = null, int nativeErrorCode = 0, Exception? inner = null)
            : base(message, inner)
        {
            Error = error;
            Target = target;
            NativeErrorCode = nativeErrorCode;
        }

        /// <summary>What went wrong.</summary>
        public SharedMemoryError Error { get; }

        /// <summary>The name, size, offset or object the error is about.</summary>
        public object? Target { get; }

        /// <summary>errno or Win32 error code where the operating system reported the failure; otherwise 0.</summary>
        public int NativeErrorCode { get; }
    }
}
