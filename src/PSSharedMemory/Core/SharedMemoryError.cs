namespace PSSharedMemory
{
    /// <summary>What went wrong, in terms a caller can act on. The cmdlet layer maps each to an error ID and category.</summary>
    public enum SharedMemoryError
    {
        /// <summary>The segment name is empty, has a forbidden character or is too long.</summary>
        NameInvalid,
        /// <summary>The requested size is zero, negative or beyond what the platform can map.</summary>
        SizeInvalid,
        /// <summary>A size is needed to create a segment and none was given.</summary>
        SizeRequired,
        /// <summary>The segment exists but is smaller than the size asked for.</summary>
        SizeExceedsExisting,
        /// <summary>Create-only was asked and the segment already exists.</summary>
        AlreadyExists,
        /// <summary>Open-only was asked and the segment does not exist.</summary>
        NotFound,
        /// <summary>An offset or count lies outside the data area.</summary>
        OutOfRange,
        /// <summary>The value does not fit in the space the segment has for it.</summary>
        ValueTooLarge,
        /// <summary>The lock was not acquired within the timeout.</summary>
        LockTimeout,
        /// <summary>The handle was closed.</summary>
        HandleClosed,
        /// <summary>The bytes in shared memory are not a valid header or value.</summary>
        Corrupted,
        /// <summary>The segment has no PSSharedMemory header, so only raw bytes apply.</summary>
        NotAValueSegment,
        /// <summary>The operating system refused access.</summary>
        AccessDenied,
        /// <summary>Not enough memory or disk space for the segment.</summary>
        OutOfSpace,
        /// <summary>This thread already holds the segment's lock (a nested call inside an update).</summary>
        LockReentered,
        /// <summary>The operation was stopped before it completed; nothing was changed.</summary>
        Canceled,
        /// <summary>The file given as backing store is not usable (empty, a directory, …).</summary>
        FileInvalid,
        /// <summary>The file behind a file-backed segment was truncated by another process after it was mapped.</summary>
        Truncated,
        /// <summary>An existing segment or its lock belongs to another user, and sharing with other users was not allowed.</summary>
        OtherOwner,
        /// <summary>The requested access cannot be expressed on this platform.</summary>
        AccessNotSupported,
        /// <summary>The operation needs a value segment and this is a queue, or the reverse.</summary>
        WrongKind,
        /// <summary>Waiting for a change or a message ran out of time.</summary>
        WaitTimeout,
        /// <summary>An existing segment checks its values with another algorithm than the one asked for.</summary>
        ChecksumDiffers,
        /// <summary>Any other failure of the operating system.</summary>
        SystemError,
    }
}
