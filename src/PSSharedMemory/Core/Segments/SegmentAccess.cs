namespace PSSharedMemory
{
    /// <summary>Who besides the creating user may open a segment it creates.</summary>
    public enum SegmentAccess
    {
        /// <summary>Only the creating user (Unix mode 0600; Windows: the creator's default security).</summary>
        Owner,
        /// <summary>Also the members of the creating user's group (Unix mode 0660). Not available on Windows.</summary>
        Group,
        /// <summary>Every user of the machine (Unix mode 0666; Windows: Everyone has full access). Anyone can then read, change or lock it.</summary>
        Everyone,
    }
}
