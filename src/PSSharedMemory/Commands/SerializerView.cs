using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Reflection;

namespace PSSharedMemory.Commands
{
    /// <summary>
    /// A PSObject as PowerShell's own serializer reads it and its deserializer makes it: the members it carries
    /// itself, looked up through PSObject's non-public <c>HasInstanceMembers</c> and read by position through
    /// their collection's non-public <c>Count</c> and <c>this[int]</c>, and its type names, read and given
    /// through the non-public <c>InternalTypeNames</c>.
    /// Why: the public views cost more than the whole trip through shared memory. <see cref="PSObject.Properties"/>
    /// builds the object's five reserved member sets (psobject, psbase, psadapted, psextended, pstypenames) the
    /// first time it is enumerated, about 4 KB and 15 µs for every fresh object in a pipeline, and once more for
    /// every wrapped value among its properties. <see cref="PSObject.TypeNames"/> hands out a copy the caller
    /// may change, registered in a weak table of the engine's: 1.5 to 5 µs and about 230 bytes for every object
    /// and every wrapped value, and an entry the garbage collector keeps checking until the table drops it, which
    /// slowed the session's own work too (making 10,000 objects after sending as many took about a quarter
    /// longer than with the direct read); an object read back and named through it pays the same. The
    /// <c>InstanceMembers</c> getter does as much for a wrapped value with no members of its own: it adds an
    /// empty collection to a weak table for it, where <c>HasInstanceMembers</c> only looks. The
    /// members are found once and checked by a probe against objects whose members and type names are known;
    /// where one is missing or gives anything else, as another engine might, <see cref="Enabled"/> is false
    /// and callers take the public views.
    /// </summary>
    internal static class SerializerView
    {
        private static readonly MemberAccess? Members = MemberAccess.Create();
        private static readonly Func<PSMemberInfo, bool>? ReadIsHidden = Getter<PSMemberInfo, bool>("IsHidden");
        private static readonly Func<PSObject, Collection<string>>? ReadTypeNames = Getter<PSObject, Collection<string>>("InternalTypeNames");
        private static readonly TypeNamesAccess? GivenTypeNames = TypeNamesAccess.Create();

        /// <summary>True where the direct reads are usable.</summary>
        public static bool Enabled { get; } = Probe();

        /// <summary>
        /// The properties <paramref name="obj"/> carries itself, in the order <see cref="PSObject.Properties"/>
        /// lists them; that is all it lists when no type data and no adapter adds a property to the object's type.
        /// </summary>
        public static PropertyWalk Properties(PSObject obj) => new PropertyWalk(Members!.Of(obj));

        /// <summary>Whether <paramref name="obj"/> carries a member of its own that PowerShell shows (a note added by Add-Member, say).</summary>
        public static bool HasMembers(PSObject obj)
        {
            PSMemberInfoCollection<PSMemberInfo>? members = Members!.Of(obj);
            if (members is null) return false;
            for (int i = 0; i < Members.Count(members); i++)
            {
                PSMemberInfo? member = Members.At(members, i);
                if (member is not null && !ReadIsHidden!(member)) return true;
            }

            return false;
        }

        /// <summary>
        /// Steps through an object's own shown properties by position, under the collection's lock for each step,
        /// where its enumerator would first copy them all into a new list: a queue reads every pipeline object's
        /// properties, and that copy took a quarter of the time it spent encoding a five-property object.
        /// </summary>
        public struct PropertyWalk
        {
            private readonly PSMemberInfoCollection<PSMemberInfo>? _members;
            private readonly int _count;
            private int _next;

            internal PropertyWalk(PSMemberInfoCollection<PSMemberInfo>? members)
            {
                _members = members;
                _count = members is null ? 0 : Members!.Count(members);
                _next = 0;
                Current = null!;
            }

            public PSPropertyInfo Current { get; private set; }

            public PropertyWalk GetEnumerator() => this;

            public bool MoveNext()
            {
                // The count is read once. A collection that another thread shrinks during the walk throws the
                // engine's exception for a position past its end, rather than giving a shorter list; members
                // added during the walk come after the counted ones and are not read.
                while (_next < _count)
                {
                    PSMemberInfo? member = Members!.At(_members!, _next++);
                    if (member is PSPropertyInfo property && !ReadIsHidden!(member))
                    {
                        Current = property;
                        return true;
                    }
                }

                return false;
            }
        }

        /// <summary>
        /// The names <see cref="PSObject.TypeNames"/> lists, not to be changed: read directly where that is
        /// usable, else through the public view.
        /// </summary>
        public static IList<string> TypeNames(PSObject obj) => Enabled ? ReadTypeNames!(obj) : obj.TypeNames;

        /// <summary>Type names made ready once, to be given to many objects by <see cref="SetTypeNames"/>.</summary>
        public static SharedTypeNames ShareTypeNames(params string[] names) =>
            new SharedTypeNames(names, Enabled ? GivenTypeNames!.MakeShared(names) : null);

        /// <summary>
        /// Gives <paramref name="obj"/> these type names in place of its own: directly where that is usable, as
        /// the engine's read-only collection made once, which every object given them shares as objects of one
        /// type share the names of their type (the engine's <see cref="PSObject.TypeNames"/> hands a script that
        /// changes them a copy of its own first), else through the public view; rather than joining the names
        /// into a new key, or copying them, for every object read.
        /// </summary>
        public static void SetTypeNames(PSObject obj, SharedTypeNames names)
        {
            if (names.Engine is not null)
            {
                GivenTypeNames!.Give(obj, names.Engine);
                return;
            }

            obj.TypeNames.Clear();
            foreach (string name in names.Names) obj.TypeNames.Add(name);
        }

        /// <summary>Names made ready by <see cref="ShareTypeNames"/>: the engine's collection of them where the direct path is usable.</summary>
        public sealed class SharedTypeNames
        {
            internal SharedTypeNames(string[] names, object? engine)
            {
                Names = names;
                Engine = engine;
            }

            internal string[] Names { get; }

            internal object? Engine { get; }
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
        /// The member collection's non-public reads, over its internal type: bound as delegates once, through
        /// a generic class made for that type, where compiling expressions for them took longer than the whole
        /// first write of a process.
        /// </summary>
        private abstract class MemberAccess
        {
            /// <summary>
            /// The members an object or, for a wrapped value, its value carries, or null when it has none, read
            /// through <c>PSObject.HasInstanceMembers(obj, out members)</c>, which adds nothing anywhere (the
            /// <c>InstanceMembers</c> getter adds an empty collection for a value that has none).
            /// </summary>
            public abstract PSMemberInfoCollection<PSMemberInfo>? Of(PSObject obj);

            public abstract int Count(PSMemberInfoCollection<PSMemberInfo> members);

            public abstract PSMemberInfo? At(PSMemberInfoCollection<PSMemberInfo> members, int index);

            /// <summary>The reads where the engine has them in the shape expected, else null.</summary>
            public static MemberAccess? Create()
            {
                try
                {
                    MethodInfo? lookup = typeof(PSObject).GetMethod("HasInstanceMembers", BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public);
                    ParameterInfo[]? parameters = lookup?.GetParameters();
                    if (lookup is null || lookup.ReturnType != typeof(bool) || parameters!.Length != 2 || parameters[0].ParameterType != typeof(object) || !parameters[1].IsOut) return null;
                    Type? collection = parameters[1].ParameterType.GetElementType();
                    if (collection is null || !typeof(PSMemberInfoCollection<PSMemberInfo>).IsAssignableFrom(collection)) return null;
                    const BindingFlags Instance = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;
                    MethodInfo? count = collection.GetProperty("Count", Instance, null, typeof(int), Type.EmptyTypes, null)?.GetGetMethod(nonPublic: true);
                    MethodInfo? item = collection.GetProperty("Item", Instance, null, null, new[] { typeof(int) }, null)?.GetGetMethod(nonPublic: true);
                    if (count is null || item is null || !typeof(PSMemberInfo).IsAssignableFrom(item.ReturnType)) return null;
                    Type access = typeof(MemberAccess<>).MakeGenericType(collection);
                    return (MemberAccess?)Activator.CreateInstance(access, lookup, count, item);
                }
                catch (Exception e) when (e is ArgumentException || e is MemberAccessException || e is AmbiguousMatchException || e is TargetInvocationException)
                {
                    return null;
                }
            }
        }

        private delegate bool MembersLookup<TMembers>(object obj, out TMembers members);

        private sealed class MemberAccess<TMembers> : MemberAccess
            where TMembers : PSMemberInfoCollection<PSMemberInfo>
        {
            private readonly MembersLookup<TMembers> _lookup;
            private readonly Func<TMembers, int> _count;
            private readonly Func<TMembers, int, PSMemberInfo> _at;

            public MemberAccess(MethodInfo lookup, MethodInfo count, MethodInfo at)
            {
                _lookup = (MembersLookup<TMembers>)Delegate.CreateDelegate(typeof(MembersLookup<TMembers>), lookup);
                _count = (Func<TMembers, int>)Delegate.CreateDelegate(typeof(Func<TMembers, int>), count);
                _at = (Func<TMembers, int, PSMemberInfo>)Delegate.CreateDelegate(typeof(Func<TMembers, int, PSMemberInfo>), at);
            }

            public override PSMemberInfoCollection<PSMemberInfo>? Of(PSObject obj)
            {
                _lookup(obj, out TMembers members);
                return members;
            }

            public override int Count(PSMemberInfoCollection<PSMemberInfo> members) => _count((TMembers)members);

            public override PSMemberInfo? At(PSMemberInfoCollection<PSMemberInfo> members, int index) => _at((TMembers)members, index);
        }

        /// <summary>
        /// The engine's type-name collection (ConsolidatedString, internal) made read-only, as the engine makes a
        /// type's names, and given to an object through PSObject's non-public <c>InternalTypeNames</c> setter.
        /// </summary>
        private abstract class TypeNamesAccess
        {
            public abstract object MakeShared(string[] names);

            public abstract void Give(PSObject obj, object shared);

            /// <summary>The two where the engine has them in the shape expected, else null.</summary>
            public static TypeNamesAccess? Create()
            {
                try
                {
                    PropertyInfo? property = typeof(PSObject).GetProperty("InternalTypeNames", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);
                    Type? collection = property?.PropertyType;
                    MethodInfo? setter = property?.GetSetMethod(nonPublic: true);
                    ConstructorInfo? make = collection?.GetConstructor(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public, null, new[] { typeof(IEnumerable<string>), typeof(bool) }, null);
                    if (setter is null || make is null || !typeof(Collection<string>).IsAssignableFrom(collection)) return null;
                    Type access = typeof(TypeNamesAccess<>).MakeGenericType(collection!);
                    return (TypeNamesAccess?)Activator.CreateInstance(access, make, setter);
                }
                catch (Exception e) when (e is ArgumentException || e is MemberAccessException || e is AmbiguousMatchException || e is TargetInvocationException)
                {
                    return null;
                }
            }
        }

        private sealed class TypeNamesAccess<TNames> : TypeNamesAccess
            where TNames : Collection<string>
        {
            private readonly ConstructorInfo _make;
            private readonly Action<PSObject, TNames> _give;

            public TypeNamesAccess(ConstructorInfo make, MethodInfo give)
            {
                _make = make;
                _give = (Action<PSObject, TNames>)Delegate.CreateDelegate(typeof(Action<PSObject, TNames>), give);
            }

            /// <summary><c>new ConsolidatedString(names, interned: true)</c>: the names in a read-only list.</summary>
            public override object MakeShared(string[] names) => _make.Invoke(new object[] { names, true });

            public override void Give(PSObject obj, object shared) => _give(obj, (TNames)shared);
        }

        /// <summary>
        /// True when the direct reads give exactly the members put on a custom object, also after the public view
        /// has generated the reserved ones, the notes a value was given through another wrapper of it, and the
        /// type names of plain and renamed objects and of a value renamed through another wrapper; and when names
        /// given directly are what the public view lists, and stay an object's own when it changes them, neither
        /// changing the others given the same names nor the names given after.
        /// </summary>
        private static bool Probe()
        {
            if (Members is null || ReadIsHidden is null || ReadTypeNames is null || GivenTypeNames is null) return false;
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
                if (!HasMembers(PSObject.AsPSObject(boxed)) || HasMembers(PSObject.AsPSObject((object)43)) || HasMembers(new PSObject())) return false;

                var renamed = new PSObject();
                renamed.TypeNames.Insert(0, "Probe.Renamed");
                object renamedValue = 44;
                PSObject.AsPSObject(renamedValue).TypeNames.Insert(0, "Probe.Value");
                if (!SameNames(new PSObject()) || !SameNames(renamed) || !SameNames(PSObject.AsPSObject((object)45))
                    || ReadTypeNames(PSObject.AsPSObject(renamedValue))[0] != "Probe.Value")
                {
                    return false;
                }

                object given = GivenTypeNames.MakeShared(new[] { "Probe.First", "Probe.Second" });
                PSObject named = new PSObject(), namedToo = new PSObject(), namedLater = new PSObject();
                GivenTypeNames.Give(named, given);
                GivenTypeNames.Give(namedToo, given);
                named.TypeNames.Insert(0, "Probe.Changed");
                named.TypeNames.RemoveAt(2);
                GivenTypeNames.Give(namedLater, given);
                return string.Join(",", named.TypeNames) == "Probe.Changed,Probe.First"
                    && string.Join(",", namedToo.TypeNames) == "Probe.First,Probe.Second"
                    && string.Join(",", namedLater.TypeNames) == "Probe.First,Probe.Second" && SameNames(named) && SameNames(namedLater);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return false;
            }
        }

        private static bool SameNames(PSObject obj) => string.Join(",", ReadTypeNames!(obj)) == string.Join(",", obj.TypeNames);
    }
}
