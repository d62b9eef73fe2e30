using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

namespace PSSharedMemory.TestWorker
{
    /// <summary>What another user of the machine tries against a segment; run under that user's account.</summary>
    internal static class OtherUser
    {
        /// <summary>Reports, one line each, whether opening, locking, reading and unlinking succeed.</summary>
        public static int Probe(string name, bool allowOtherOwner)
        {
            var report = new StringBuilder();
            report.AppendLine("read-file: " + Try(() => File.ReadAllBytes("/dev/shm/" + name).Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            report.AppendLine("open-lock-file: " + Try(() => { using var f = new FileStream("/dev/shm/" + name + "_Mutex", FileMode.Open, FileAccess.ReadWrite); return "ok"; }));
            SharedMemorySegment? segment = null;
            report.AppendLine("open: " + Try(() =>
            {
                segment = SharedMemorySegment.Open(new SegmentOptions(name) { Mode = OpenMode.OpenExisting, Format = SegmentFormat.Detect, AllowOtherOwner = allowOtherOwner, LockTimeout = TimeSpan.FromSeconds(2) });
                return "ok";
            }));
            if (segment is not null)
            {
                report.AppendLine("lock-and-read: " + Try(() =>
                {
                    using LockedSegment locked = segment.Lock();
                    return (locked.ReadValue()?.Payload.Length ?? -1).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }));
                segment.Dispose();
            }

            report.AppendLine("unlink: " + (Unlink("/dev/shm/" + name) == 0 ? "ok" : "denied"));
            Console.Out.Write(report.ToString());
            return 0;
        }

        /// <summary>Plants an object, open to everyone, under a name another user is expected to use.</summary>
        public static int Plant(string name)
        {
            foreach (string path in new[] { "/dev/shm/" + name, "/dev/shm/" + name + "_Mutex" })
            {
                File.WriteAllBytes(path, new byte[4096]);
                File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("666", 8));
            }

            Console.Out.WriteLine("planted");
            return 0;
        }

        private static string Try(Func<string> action)
        {
            try
            {
                return action();
            }
            catch (SharedMemoryException e)
            {
                return e.Error.ToString();
            }
            catch (UnauthorizedAccessException)
            {
                return "AccessDenied";
            }
        }

        [DllImport("libc", EntryPoint = "unlink", SetLastError = true)]
        private static extern int Unlink(string path);
    }
}
