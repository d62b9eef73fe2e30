using System;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;

namespace PSSharedMemory.TestWorker
{
    /// <summary>
    /// One process of the stress test: a random mix of value writes of random sizes (bytes to megabytes),
    /// value reads, raw slot writes and reads, and read-modify-write increments, every result checked.
    /// </summary>
    public static class Stress
    {
        public const int RawSlot = 1024;
        private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(30);

        public static int Run(string name, TimeSpan duration, int id, int seed)
        {
            var random = new Random(seed);
            using var values = SharedMemorySegment.Open(new SegmentOptions(name) { Mode = OpenMode.OpenExisting, LockTimeout = LockTimeout });
            using var raw = SharedMemorySegment.Open(new SegmentOptions(name + "_raw") { Mode = OpenMode.OpenExisting, Format = SegmentFormat.Raw, LockTimeout = LockTimeout });
            using var counter = SharedMemorySegment.Open(new SegmentOptions(name + "_count") { Mode = OpenMode.OpenExisting, LockTimeout = LockTimeout });
            long ops = 0, checkedReads = 0, torn = 0, stale = 0, timeouts = 0, increments = 0, tooLarge = 0, sequence = 0;
            ulong lastVersion = 0;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < duration)
            {
                int dice = random.Next(100);
                try
                {
                    if (dice < 35)
                    {
                        byte[] payload = CheckedPayload.Create(id, ++sequence, RandomSize(random), random);
                        using LockedSegment locked = values.Lock();
                        locked.WriteValue(PayloadKind.Bytes, payload);
                    }
                    else if (dice < 70)
                    {
                        StoredValue? value;
                        using (LockedSegment locked = values.Lock()) value = locked.ReadValue();
                        if (value is not null)
                        {
                            checkedReads++;
                            if (CheckedPayload.Check(value.Payload) is null) torn++;
                            if (value.Version < lastVersion) stale++;
                            lastVersion = Math.Max(lastVersion, value.Version);
                        }
                    }
                    else if (dice < 80)
                    {
                        int slot = random.Next((int)(raw.Size / RawSlot));
                        byte[] record = CheckedPayload.Create(id, ++sequence, RawSlot, random);
                        using LockedSegment locked = raw.Lock();
                        locked.WriteBytes((long)slot * RawSlot, record);
                    }
                    else if (dice < 90)
                    {
                        int slot = random.Next((int)(raw.Size / RawSlot));
                        byte[] record;
                        using (LockedSegment locked = raw.Lock()) record = locked.ReadBytes((long)slot * RawSlot, RawSlot);
                        checkedReads++;
                        if (Array.TrueForAll(record, b => b == 0)) continue; // never written
                        if (CheckedPayload.Check(record) is null) torn++;
                    }
                    else
                    {
                        using LockedSegment locked = counter.Lock();
                        StoredValue? current = locked.ReadValue();
                        long count = current is null ? 0 : BinaryPrimitives.ReadInt64LittleEndian(current.Payload);
                        var next = new byte[8];
                        BinaryPrimitives.WriteInt64LittleEndian(next, count + 1);
                        locked.WriteValue(PayloadKind.Bytes, next);
                        increments++;
                    }

                    ops++;
                }
                catch (SharedMemoryException e) when (e.Error == SharedMemoryError.LockTimeout)
                {
                    timeouts++;
                }
                catch (SharedMemoryException e) when (e.Error == SharedMemoryError.ValueTooLarge)
                {
                    tooLarge++; // a big value did not fit beside the current big one: refused, nothing changed
                    ops++;
                }
            }

            Console.Out.WriteLine(string.Format(CultureInfo.InvariantCulture, "ops={0} reads={1} torn={2} stale={3} timeouts={4} increments={5} refused={6}", ops, checkedReads, torn, stale, timeouts, increments, tooLarge));
            return 0;
        }

        /// <summary>Mostly small values, some medium, a few of several MiB.</summary>
        private static int RandomSize(Random random)
        {
            int dice = random.Next(100);
            if (dice < 70) return random.Next(24, 4096);
            if (dice < 95) return random.Next(4096, 256 * 1024);
            return random.Next(256 * 1024, 6 * 1024 * 1024);
        }
    }
}
