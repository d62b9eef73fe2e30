using System;

namespace PSSharedMemory
{
    /// <summary>A value as it is stored in a segment: its kind and its bytes.</summary>
    public sealed class StoredValue
    {
        /// <summary>Creates a value.</summary>
        public StoredValue(PayloadKind kind, byte[] payload, ulong version = 0)
        {
            Kind = kind;
            Payload = payload ?? throw new ArgumentNullException(nameof(payload));
            Version = version;
        }

        /// <summary>How the payload is to be read.</summary>
        public PayloadKind Kind { get; }

        /// <summary>The payload bytes.</summary>
        public byte[] Payload { get; }

        /// <summary>The segment version at which this value was written (0 for a value not read from a segment).</summary>
        public ulong Version { get; }
    }
}
