using System;
using System.Linq;

namespace PSSharedMemory.Platform
{
    /// <summary>The name rules every platform shares: the optional scope prefix and the forbidden characters.</summary>
    internal static class SegmentNameRules
    {
        public const string LockSuffix = "_Mutex";
        private const string LocalPrefix = "Local\\";
        private const string GlobalPrefix = "Global\\";

        /// <summary>Strips a <c>Local\</c> or <c>Global\</c> prefix, which must agree with <paramref name="scope"/> when both are given.</summary>
        public static (string Bare, SegmentScope Scope) Split(string name, SegmentScope scope)
        {
            if (string.IsNullOrWhiteSpace(name)) throw Invalid(name ?? string.Empty, nameof(Resources.Messages.NameEmpty));
            string bare = name;
            SegmentScope effective = scope;
            if (name.StartsWith(LocalPrefix, StringComparison.OrdinalIgnoreCase))
            {
                bare = name.Substring(LocalPrefix.Length);
                effective = SegmentScope.Local;
            }
            else if (name.StartsWith(GlobalPrefix, StringComparison.OrdinalIgnoreCase))
            {
                bare = name.Substring(GlobalPrefix.Length);
                effective = SegmentScope.Global;
            }

            if (effective != scope && scope == SegmentScope.Global)
            {
                throw Errors.Create(SharedMemoryError.NameInvalid, name, nameof(Resources.Messages.NameScopeConflict), name, scope);
            }

            if (string.IsNullOrWhiteSpace(bare)) throw Invalid(name, nameof(Resources.Messages.NameEmpty));
            // Separators would leave the shared-memory namespace; control characters make names no one can type or see.
            if (bare.IndexOfAny(new[] { '/', '\\' }) >= 0 || bare.Any(char.IsControl)) throw Invalid(name, nameof(Resources.Messages.NameCharacters));
            return (bare, effective);
        }

        private static SharedMemoryException Invalid(string name, string messageName) =>
            Errors.Create(SharedMemoryError.NameInvalid, name, messageName, name);
    }
}
