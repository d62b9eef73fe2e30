using System;

namespace PSSharedMemory.Commands
{
    /// <summary>The exception behind error records that the cmdlet layer raises itself (bad input, unreadable values).</summary>
    [Serializable]
    public sealed class SharedMemoryCommandException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public SharedMemoryCommandException(string message, Exception? inner = null)
            : base(message, inner)
        {
        }
    }
}
