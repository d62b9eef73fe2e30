using System;

namespace PSSharedMemory.Platform.Unix
{
    /// <summary>Who may use an object we created, and whether we trust one someone else created.</summary>
    internal static class UnixOwnership
    {
        /// <summary>Widens a new object's mode beyond 0600 when asked: the umask would otherwise narrow it.</summary>
        public static void ApplyMode(UnixConstants c, int fd, string path, AccessPolicy policy)
        {
            if (policy.Access != SegmentAccess.Owner && UnixNative.FChMod(fd, policy.UnixMode) != 0)
            {
                throw UnixErrors.From(c, UnixErrors.LastErrno(), "fchmod", path);
            }
        }

        /// <summary>
        /// Refuses an existing object that another user owns, unless sharing was allowed: its owner could have
        /// planted it before us, and can read, change or hold it whenever it likes.
        /// </summary>
        public static void CheckOwner(UnixConstants c, int fd, string path, AccessPolicy policy)
        {
            if (policy.AllowOtherOwner) return;
            var stat = new byte[256];
            if (UnixNative.FStat(fd, stat) != 0) throw UnixErrors.From(c, UnixErrors.LastErrno(), "fstat", path);
            uint owner = BitConverter.ToUInt32(stat, c.StatUidOffset);
            if (owner != UnixNative.GetEUid())
            {
                throw Errors.Create(SharedMemoryError.OtherOwner, path, nameof(Resources.Messages.OtherOwner), path, owner);
            }
        }
    }
}
