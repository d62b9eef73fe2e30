namespace PSSharedMemory
{
    /// <summary>How a stored value's bytes are to be read. The numbers are part of the shared byte layout.</summary>
    public enum PayloadKind
    {
        /// <summary>No value has been written.</summary>
        None = 0,
        /// <summary>Bytes, returned as a byte array.</summary>
        Bytes = 1,
        /// <summary>A string encoded as UTF-8 without a byte order mark.</summary>
        Utf8Text = 2,
        /// <summary>Objects serialized with PowerShell's CliXml serializer, UTF-8 encoded.</summary>
        CliXml = 3,
        /// <summary>
        /// A plain PSCustomObject whose properties all hold null or a primitive value, in the module's compact
        /// form (docs/layout.md): read back exactly as CliXml would give it, at a fraction of CliXml's cost.
        /// </summary>
        FlatObject = 4,
        /// <summary>A queue message with no payload that marks the end of a producer's stream.</summary>
        EndOfStream = 255,
    }
}
