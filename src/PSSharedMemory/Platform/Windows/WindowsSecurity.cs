using System;
using System.Runtime.InteropServices;

namespace PSSharedMemory.Platform.Windows
{
    /// <summary>
    /// The SECURITY_ATTRIBUTES for objects we create: none (the creator's default security) for Owner, or a
    /// descriptor that gives Everyone full access for Everyone. Windows has no "group of the creator" to
    /// match Unix's 0660, so Group is refused.
    /// </summary>
    internal sealed class WindowsSecurity : IDisposable
    {
        private const string EveryoneFullAccess = "D:(A;;GA;;;WD)";
        private IntPtr _descriptor;

        private WindowsSecurity(IntPtr descriptor, IntPtr attributes)
        {
            _descriptor = descriptor;
            Attributes = attributes;
        }

        /// <summary>A pointer to SECURITY_ATTRIBUTES, or zero for the default security.</summary>
        public IntPtr Attributes { get; private set; }

        public static WindowsSecurity For(AccessPolicy policy)
        {
            switch (policy.Access)
            {
                case SegmentAccess.Owner:
                    return new WindowsSecurity(IntPtr.Zero, IntPtr.Zero);
                case SegmentAccess.Everyone:
                    if (!WindowsNative.ConvertStringSecurityDescriptor(EveryoneFullAccess, 1, out IntPtr descriptor, IntPtr.Zero))
                    {
                        throw WindowsErrors.From(WindowsErrors.Last(), "ConvertStringSecurityDescriptorToSecurityDescriptor", EveryoneFullAccess);
                    }

                    var attributes = new WindowsNative.SecurityAttributes { Length = Marshal.SizeOf(typeof(WindowsNative.SecurityAttributes)), SecurityDescriptor = descriptor };
                    IntPtr block = Marshal.AllocHGlobal(attributes.Length);
                    Marshal.StructureToPtr(attributes, block, false);
                    return new WindowsSecurity(descriptor, block);
                default:
                    throw Errors.Create(SharedMemoryError.AccessNotSupported, policy.Access, nameof(Resources.Messages.AccessNotSupported), policy.Access);
            }
        }

        public void Dispose()
        {
            if (Attributes != IntPtr.Zero) Marshal.FreeHGlobal(Attributes);
            if (_descriptor != IntPtr.Zero) WindowsNative.LocalFree(_descriptor);
            Attributes = _descriptor = IntPtr.Zero;
        }
    }
}
