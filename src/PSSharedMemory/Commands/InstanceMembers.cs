using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Reflection;

namespace PSSharedMemory.Commands
{
    /// <summary>
    /// The members a PSObject carries itself, read as PowerShell's own serializer reads them: through PSObject's
    /// non-public <c>InstanceMembers</c>. Why: the public view, <see cref="PSObject.Properties"/>, builds the
    /// object's five reserved member sets (psobject, psbase, psadapted, psextended, pstypenames) the first time
    /// it is enumerated, about 4 KB and 15 µs for every fresh object in a pipeline, and once more for every
    /// wrapped value among its properties: most of what sending a plain object cost. The member is found once
    /// and checked by a probe against objects whose members are known; where it is missing or gives anything
    /// else, as another engine might, <see cref="Enabled"/> is false and callers take the public view.
    /// </summary>
    internal static class InstanceMembers
    {
        private static readonly Func<PSObject, PSMemberInfoCollection<PSMemberInfo>>? ReadMembers = Getter<PSObject, PSMemberInfoCollection<PSMemberInfo>>("InstanceMembers");
        private static readonly Func<PSMemberInfo, bool>? ReadIsHidden = Getter<PSMemberInfo, bool>("IsHidden");

        /// <summary>True where the direct read is usable.</summary>
        public static bool Enabled { get; } = Probe();

        /// <summary>
        /// The properties <paramref name="obj"/> carries itself, in the order <see cref="PSObject.Properties"/>
        /// lists them; that is all it lists when no type data and no adapter adds a property to the object's type.
        /// </summary>
        public static IEnumerable<PSPropertyInfo> Properties(PSObject obj)
        {
            foreach (PSMemberInfo member in ReadMembers!(obj))
            {
                if (member is PSPropertyInfo property && !ReadIsHidden!(member)) yield return property;
            }
        }

        /// <summary>Whether <paramref name="obj"/> carries a member of its own that PowerShell shows (a note added by Add-Member, say).</summary>
        public static bool Any(PSObject obj)
        {
            foreach (PSMemberInfo member in ReadMembers!(obj))
            {
                if (!ReadIsHidden!(member)) return true;
            }

            return false;
        }

        private static Func<TObject, TValue>? Getter<TObject, TValue>(string name)
        {
            try
            {
                MethodInfo? getter = typeof(TObject).GetProperty(name, BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)?.GetGetMethod(nonPublic: true);
                return getter is null ? null : (Func<TObject, TValue>?)Delegate.CreateDelegate(typeof(Func<TObject, TValue>), getter, throwOnBindFailure: false);
            }
            catch (Exception e) when (e is ArgumentException || e is MemberAccessException || e is AmbiguousMatchException)
            {
                return null;
            }
        }

        /// <summary>
        /// True when the direct read gives exactly the members put on a custom object, also after the public view
        /// has generated the reserved ones, and the notes a value was given through another wrapper of it.
        /// </summary>
        private static bool Probe()
        {
            if (ReadMembers is null || ReadIsHidden is null) return false;
            try
            {
                var custom = new PSObject();
                custom.Properties.Add(new PSNoteProperty("First", 1));
                custom.Properties.Add(new PSNoteProperty("Second", "two"));
                custom.Properties.Add(new PSAliasProperty("Third", "First"));
                foreach (PSPropertyInfo unused in custom.Properties)
                {
                }

                var names = new List<string>();
                foreach (PSPropertyInfo property in Properties(custom)) names.Add(property.Name);
                if (string.Join(",", names) != "First,Second,Third") return false;

                object boxed = 42;
                PSObject.AsPSObject(boxed).Properties.Add(new PSNoteProperty("Added", 1));
                return Any(PSObject.AsPSObject(boxed)) && !Any(PSObject.AsPSObject((object)43)) && !Any(new PSObject());
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return false;
            }
        }
    }
}
