namespace PSSharedMemory
{
    /// <summary>Whether opening a segment may create it, must create it, or must find it.</summary>
    public enum OpenMode
    {
        /// <summary>Open the segment if it exists, else create it.</summary>
        CreateOrOpen,
        /// <summary>Create the segment; fail if it exists.</summary>
        CreateNew,
        /// <summary>Open the segment; fail if it does not exist.</summary>
        OpenExisting,
    }
}
