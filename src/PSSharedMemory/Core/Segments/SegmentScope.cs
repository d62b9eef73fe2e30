namespace PSSharedMemory
{
    /// <summary>The namespace of a segment's name. Windows separates them; on Unix both are the machine's one namespace.</summary>
    public enum SegmentScope
    {
        /// <summary>The session's namespace on Windows (<c>Local\</c>).</summary>
        Local,
        /// <summary>The machine-wide namespace on Windows (<c>Global\</c>; creating needs SeCreateGlobalPrivilege).</summary>
        Global,
    }
}
