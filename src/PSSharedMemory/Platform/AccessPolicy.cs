namespace PSSharedMemory.Platform
{
    /// <summary>Who may use what we create, and whether we accept what another user created.</summary>
    internal readonly struct AccessPolicy
    {
        public AccessPolicy(SegmentAccess access, bool allowOtherOwner)
        {
            Access = access;
            AllowOtherOwner = allowOtherOwner;
        }

        public SegmentAccess Access { get; }

        /// <summary>
        /// False (the default): an existing segment or lock owned by another user is refused, since that user
        /// could read, change or hold it at will. True when sharing between users is intended.
        /// </summary>
        public bool AllowOtherOwner { get; }

        /// <summary>The Unix permission bits for <see cref="Access"/>.</summary>
        public int UnixMode => Access switch
        {
            SegmentAccess.Everyone => 0x1B6, // 0666
            SegmentAccess.Group => 0x1B0,    // 0660
            _ => 0x180,                      // 0600
        };
    }
}
