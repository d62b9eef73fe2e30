using System;
using System.Collections.Generic;
using System.Linq;

namespace PSSharedMemory.Platform.Windows
{
    /// <summary>
    /// Named file mappings (paging-file-backed, or over a file) and named mutexes, exactly as the seed:
    /// CreateFileMapping reports ERROR_ALREADY_EXISTS when it opened rather than created, in one call.
    /// </summary>
    internal sealed class WindowsPlatform : IPlatform
    {
        private const int MaxObjectName = 260;

        public long MaxMappingLength => IntPtr.Size == 8 ? 1L << 46 : int.MaxValue;

        public SegmentName ParseName(string name, SegmentScope scope)
        {
            (string bare, SegmentScope parsedScope) = SegmentNameRules.Split(name, scope);
            string mappingName = (parsedScope == SegmentScope.Global ? "Global\\" : "Local\\") + bare;
            string lockName = mappingName + SegmentNameRules.LockSuffix;
            if (lockName.Length > MaxObjectName)
            {
                throw Errors.Create(SharedMemoryError.NameInvalid, name, nameof(Resources.Messages.NameTooLong), name, MaxObjectName - (lockName.Length - bare.Length));
            }

            return new SegmentName(bare, parsedScope, mappingName, lockName);
        }

        public IMapping OpenNamed(SegmentName name, OpenMode mode, long? length, AccessPolicy policy, out bool created)
        {
            using var security = WindowsSecurity.For(policy);
            return OpenMapping(WindowsNative.InvalidHandleValue, IntPtr.Zero, name.MappingName, name.MappingName, mode, length, security.Attributes, out created);
        }

        public IMapping OpenFile(SegmentName name, string path, OpenMode mode, long? length, AccessPolicy policy, out bool created)
        {
            IntPtr file = IntPtr.Zero;
            created = false;
            if (mode != OpenMode.OpenExisting && length.HasValue)
            {
                file = WindowsNative.CreateFile(path, WindowsNative.GenericRead | WindowsNative.GenericWrite, WindowsNative.FileShareAll, IntPtr.Zero, WindowsNative.CreateNewDisposition, WindowsNative.FileAttributeNormal, IntPtr.Zero);
                if (file != WindowsNative.InvalidHandleValue)
                {
                    created = true;
                }
                else
                {
                    int code = WindowsErrors.Last();
                    if (code != WindowsNative.ErrorFileExists) throw WindowsErrors.From(code, "CreateFile", path);
                    if (mode == OpenMode.CreateNew) throw Errors.Create(SharedMemoryError.AlreadyExists, path, nameof(Resources.Messages.AlreadyExists), path);
                }
            }

            if (!created)
            {
                file = WindowsNative.CreateFile(path, WindowsNative.GenericRead | WindowsNative.GenericWrite, WindowsNative.FileShareAll, IntPtr.Zero, WindowsNative.OpenExistingDisposition, WindowsNative.FileAttributeNormal, IntPtr.Zero);
                if (file == WindowsNative.InvalidHandleValue)
                {
                    int code = WindowsErrors.Last();
                    if (code == WindowsNative.ErrorFileNotFound || code == WindowsNative.ErrorPathNotFound) throw Errors.Native(SharedMemoryError.NotFound, path, code, nameof(Resources.Messages.NotFound), path);
                    throw WindowsErrors.From(code, "CreateFile", path);
                }

                if (!WindowsNative.GetFileSizeEx(file, out long size)) throw Fail(file, "GetFileSizeEx", path);
                if (size <= 0)
                {
                    WindowsNative.CloseHandle(file);
                    throw Errors.Create(SharedMemoryError.FileInvalid, path, nameof(Resources.Messages.EmptyObject), path);
                }

                length = size;
            }

            try
            {
                // The file gives the mapping its length; the name lets other processes open it without the path.
                using var security = WindowsSecurity.For(policy);
                return OpenMapping(file, file, name.MappingName, path, OpenMode.CreateOrOpen, length, security.Attributes, out _);
            }
            catch
            {
                WindowsNative.CloseHandle(file);
                if (created) System.IO.File.Delete(path);
                throw;
            }
        }

        public ICrossProcessLock OpenLock(SegmentName name, AccessPolicy policy)
        {
            using var security = WindowsSecurity.For(policy);
            return new WindowsMutexLock(name.LockName, security.Attributes);
        }

        /// <summary>Windows removes a kernel object's name when its last handle closes; there is nothing to unlink.</summary>
        public void Unlink(SegmentName name, bool fileBacked)
        {
        }

        public void DiscardUnusedLock(SegmentName name, string? path, ICrossProcessLock crossProcessLock)
        {
        }

        /// <summary>WaitOnAddress works within one process only, so other processes' changes are polled.</summary>
        public void WaitForChange(MappedMemory memory, long offset, uint observed, TimeSpan timeout) => ChangePolling.Wait(memory, offset, observed, timeout);

        public void WakeAll(MappedMemory memory, long offset)
        {
        }

        /// <summary>Windows offers no documented way to enumerate named sections.</summary>
        public IEnumerable<ExistingSegment> ListSegments() => Enumerable.Empty<ExistingSegment>();

        private IMapping OpenMapping(IntPtr source, IntPtr file, string mappingName, string path, OpenMode mode, long? length, IntPtr securityAttributes, out bool created)
        {
            IntPtr mapping;
            if (mode == OpenMode.OpenExisting || !length.HasValue)
            {
                mapping = WindowsNative.OpenFileMapping(WindowsNative.FileMapAllAccess, false, mappingName);
                if (mapping == IntPtr.Zero)
                {
                    int code = WindowsErrors.Last();
                    if (code == WindowsNative.ErrorFileNotFound) throw Errors.Native(SharedMemoryError.NotFound, mappingName, code, nameof(Resources.Messages.NotFound), mappingName);
                    throw WindowsErrors.From(code, "OpenFileMapping", mappingName);
                }

                created = false;
            }
            else
            {
                ulong size = (ulong)length.Value;
                mapping = WindowsNative.CreateFileMapping(source, securityAttributes, WindowsNative.PageReadWrite, (uint)(size >> 32), (uint)size, mappingName);
                int code = WindowsErrors.Last();
                if (mapping == IntPtr.Zero && code == WindowsNative.ErrorAccessDenied && mappingName.StartsWith("Global\\", StringComparison.Ordinal))
                {
                    throw Errors.Native(SharedMemoryError.AccessDenied, mappingName, code, nameof(Resources.Messages.GlobalNeedsPrivilege), mappingName);
                }

                if (mapping == IntPtr.Zero) throw WindowsErrors.From(code, "CreateFileMapping", mappingName);
                created = code != WindowsNative.ErrorAlreadyExists;
                if (!created && mode == OpenMode.CreateNew)
                {
                    WindowsNative.CloseHandle(mapping);
                    throw Errors.Create(SharedMemoryError.AlreadyExists, mappingName, nameof(Resources.Messages.AlreadyExists), mappingName);
                }
            }

            IntPtr view = WindowsNative.MapViewOfFile(mapping, WindowsNative.FileMapAllAccess, 0, 0, UIntPtr.Zero);
            if (view == IntPtr.Zero) throw Fail(mapping, "MapViewOfFile", mappingName);

            // An opened section tells its length only through the view; it is rounded up to whole pages.
            long viewLength = length ?? 0;
            if (!created)
            {
                if (WindowsNative.VirtualQuery(view, out var info, (UIntPtr)(ulong)System.Runtime.InteropServices.Marshal.SizeOf(typeof(WindowsNative.MemoryBasicInformation))) == UIntPtr.Zero)
                {
                    int code = WindowsErrors.Last();
                    WindowsNative.UnmapViewOfFile(view);
                    throw Fail(mapping, "VirtualQuery", mappingName, code);
                }

                viewLength = (long)info.RegionSize;
                if (file != IntPtr.Zero && length.HasValue) viewLength = Math.Min(viewLength, length.Value);
            }

            return new WindowsMapping(mapping, view, viewLength, path, file);
        }

        private static SharedMemoryException Fail(IntPtr handleToClose, string operation, string target, int? code = null)
        {
            int error = code ?? WindowsErrors.Last();
            WindowsNative.CloseHandle(handleToClose);
            return WindowsErrors.From(error, operation, target);
        }
    }
}
