using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation.Runspaces;

namespace PSSharedMemory.Commands
{
    /// <summary>
    /// The handles each runspace opened with New-SharedMemory, so that -Name finds them, Get-SharedMemory lists
    /// them and removing the module closes them. Keyed by runspace because one process can host many.
    /// </summary>
    internal static class SessionHandles
    {
        private static readonly Dictionary<Guid, List<SharedMemorySegment>> HandlesByRunspace = new Dictionary<Guid, List<SharedMemorySegment>>();

        private static Guid CurrentRunspace => Runspace.DefaultRunspace?.InstanceId ?? Guid.Empty;

        public static void Add(SharedMemorySegment segment)
        {
            Runspace? runspace = Runspace.DefaultRunspace;
            lock (HandlesByRunspace)
            {
                if (!HandlesByRunspace.TryGetValue(CurrentRunspace, out List<SharedMemorySegment>? list))
                {
                    list = new List<SharedMemorySegment>();
                    HandlesByRunspace[CurrentRunspace] = list;
                    // A runspace closed without removing the module must not leave its handles mapped.
                    if (runspace is not null) runspace.StateChanged += OnRunspaceStateChanged;
                }

                list.Add(segment);
            }
        }

        /// <summary>The open handles of this runspace, oldest first, dropping any closed meanwhile.</summary>
        public static IReadOnlyList<SharedMemorySegment> Current()
        {
            lock (HandlesByRunspace)
            {
                if (!HandlesByRunspace.TryGetValue(CurrentRunspace, out List<SharedMemorySegment>? list)) return Array.Empty<SharedMemorySegment>();
                list.RemoveAll(s => s.IsClosed);
                return list.ToArray();
            }
        }

        public static SharedMemorySegment? Find(string name, SegmentScope scope) =>
            Current().FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.Ordinal) && s.Scope == scope);

        public static void CloseAllInCurrentRunspace() => CloseAll(CurrentRunspace);

        private static void CloseAll(Guid runspace)
        {
            List<SharedMemorySegment>? list;
            lock (HandlesByRunspace)
            {
                HandlesByRunspace.TryGetValue(runspace, out list);
                HandlesByRunspace.Remove(runspace);
            }

            list?.ForEach(s => s.Dispose());
        }

        private static void OnRunspaceStateChanged(object? sender, RunspaceStateEventArgs e)
        {
            if (sender is Runspace runspace && e.RunspaceStateInfo.State is RunspaceState.Closed or RunspaceState.Broken)
            {
                runspace.StateChanged -= OnRunspaceStateChanged;
                CloseAll(runspace.InstanceId);
            }
        }
    }
}
