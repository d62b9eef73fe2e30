using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq.Expressions;
using System.Management.Automation;
using System.Reflection;

namespace PSSharedMemory.Serialization
{
    /// <summary>
    /// A PSObject as PowerShell's own serializer reads it and its deserializer makes it: the members it carries
    /// itself, looked up through PSObject's non-public <c>HasInstanceMembers</c> and read by position through
    /// their collection's non-public <c>Count</c> and <c>this[int]</c>, and its type names, read and given
    /// through the non-public <c>InternalTypeNames</c>.
    /// Why: the public views cost more than the whole trip through shared memory. <see cref="PSObject.Properties"/>
    /// builds the object's five reserved member sets (psobject, psbase, psadapted, psextended, pstypenames) the
    /// first time it is enumerated, for every fresh object in a pipeline and every wrapped value among its
    /// properties. <see cref="PSObject.TypeNames"/> hands out a copy the caller may change, registered in a weak
    /// table of the engine's, for every object and every wrapped value, an entry the garbage collector keeps
    /// checking until the table drops it; an object read back and named through it pays the same. The
    /// <c>InstanceMembers</c> getter does as much for a wrapped value with no members of its own: it adds an
    /// empty collection to a weak table for it, where <c>HasInstanceMembers</c> only looks. The
    /// members are found once and checked by a probe against objects whose members and type names are known;
    /// where one is missing or gives anything else, as another engine might, <see cref="Enabled"/> is false
    /// and callers take the public views.
    /// </summary>
    internal static class SerializerView
    {
        private static readonly Type? MemberCollectionType = InstanceMembersType();
        private static readonly Func<PSObject, PSMemberInfoCollection<PSMemberInfo>?>? ReadMembers = MembersLookup();
        private static readonly Func<PSMemberInfoCollection<PSMemberInfo>, int>? CountMembers = Positional<Func<PSMemberInfoCollection<PSMemberInfo>, int>>("Count");
        private static readonly Func<PSMemberInfoCollection<PSMemberInfo>, int, PSMemberInfo?>? MemberAt = Positional<Func<PSMemberInfoCollection<PSMemberInfo>, int, PSMemberInfo?>>("Item", typeof(int));
        private static readonly Func<PSMemberInfo, bool>? ReadIsHidden = Getter<PSMemberInfo, bool>("IsHidden");
        private static readonly Func<PSObject, Collection<string>>? ReadTypeNames = Getter<PSObject, Collection<string>>("InternalTypeNames");
        private static readonly Func<IEnumerable<string>, object>? MakeTypeNames = TypeNamesMaker();
        private static readonly Action<PSObject, object>? WriteTypeNames = TypeNamesSetter();

        /// <summary>True where the direct reads are usable.</summary>
        public static bool Enabled { get; } = Probe();

        /// <summary>
        /// The properties <paramref name="obj"/> carries itself, in the order <see cref="PSObject.Properties"/>
        /// lists them; that is all it lists when no type data and no adapter adds a property to the object's type.
        /// </summary>
        public static PropertyWalk Properties(PSObject obj) => new PropertyWalk(ReadMembers!(obj));

        /// <summary>Whether <paramref name="obj"/> carries a member of its own that PowerShell shows (a note added by Add-Member, say).</summary>
        public static bool HasMembers(PSObject obj)
        {
            PSMemberInfoCollection<PSMemberInfo>? members = ReadMembers!(obj);
            if (members is null) return false;
            for (int i = 0; i < CountMembers!(members); i++)
            {
                PSMemberInfo? member = MemberAt!(members, i);
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
                _count = members is null ? 0 : CountMembers!(members);
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
                    PSMemberInfo? member = MemberAt!(_members!, _next++);
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
            new SharedTypeNames(names, Enabled ? MakeTypeNames!(names) : null);

        /// <summary>
        /// Gives <paramref name="obj"/> these type names in place of its own, in a collection of its own, as the
        /// deserializer gives a deserialized object its names: directly where that is usable, as a copy of the
        /// engine's collection made once that shares its joined key (what the deserializer does for a type-name
        /// reference), else through the public view; rather than joining the names into a new key for every
        /// object read.
        /// </summary>
        public static void SetTypeNames(PSObject obj, SharedTypeNames names)
        {
            if (names.Engine is not null)
            {
                WriteTypeNames!(obj, names.Engine);
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
        /// The members an object or, for a wrapped value, its value carries, or null when it has none, read
        /// through <c>PSObject.HasInstanceMembers(obj, out members)</c>, which adds nothing anywhere (the engine's
        /// serializer reads the <c>InstanceMembers</c> getter, which adds an empty collection for a value that has
        /// none). Compiled once, as an expression, since the out parameter's type is internal.
        /// </summary>
        private static Func<PSObject, PSMemberInfoCollection<PSMemberInfo>?>? MembersLookup()
        {
            try
            {
                MethodInfo? lookup = HasInstanceMembers();
                if (lookup is null || MemberCollectionType is null) return null;
                ParameterExpression obj = Expression.Parameter(typeof(PSObject), "obj");
                ParameterExpression members = Expression.Variable(MemberCollectionType, "members");
                BlockExpression body = Expression.Block(
                    new[] { members },
                    Expression.Call(lookup, obj, members),
                    Expression.Convert(members, typeof(PSMemberInfoCollection<PSMemberInfo>)));
                return Expression.Lambda<Func<PSObject, PSMemberInfoCollection<PSMemberInfo>?>>(body, obj).Compile();
            }
            catch (Exception e) when (e is ArgumentException || e is MemberAccessException || e is AmbiguousMatchException || e is InvalidOperationException)
            {
                return null;
            }
        }

        /// <summary><c>PSObject.HasInstanceMembers(object, out collection)</c> where it has that shape, else null.</summary>
        private static MethodInfo? HasInstanceMembers()
        {
            MethodInfo? lookup = typeof(PSObject).GetMethod("HasInstanceMembers", BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public);
            ParameterInfo[]? parameters = lookup?.GetParameters();
            if (lookup is null || lookup.ReturnType != typeof(bool) || parameters!.Length != 2 || parameters[0].ParameterType != typeof(object)
                || !parameters[1].IsOut || !typeof(PSMemberInfoCollection<PSMemberInfo>).IsAssignableFrom(parameters[1].ParameterType.GetElementType()))
            {
                return null;
            }

            return lookup;
        }

        /// <summary>The engine's collection of an object's own members: the type of HasInstanceMembers' out parameter.</summary>
        private static Type? InstanceMembersType()
        {
            try
            {
                return HasInstanceMembers()?.GetParameters()[1].ParameterType.GetElementType();
            }
            catch (Exception e) when (e is ArgumentException || e is MemberAccessException || e is AmbiguousMatchException)
            {
                return null;
            }
        }

        /// <summary>
        /// A delegate over the member collection's non-public <c>int Count</c> or <c>this[int]</c>, whose
        /// arguments after the collection are <paramref name="index"/>: compiled once, as an expression, since the
        /// collection's type is internal.
        /// </summary>
        private static TDelegate? Positional<TDelegate>(string name, params Type[] index)
            where TDelegate : class
        {
            try
            {
                if (MemberCollectionType is null) return null;
                PropertyInfo? property = MemberCollectionType.GetProperty(name, BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public, null, null, index, null);
                MethodInfo? getter = property?.GetGetMethod(nonPublic: true);
                if (getter is null) return null;
                ParameterExpression members = Expression.Parameter(typeof(PSMemberInfoCollection<PSMemberInfo>), "members");
                ParameterExpression[] arguments = Array.ConvertAll(index, type => Expression.Parameter(type));
                Expression call = Expression.Call(Expression.Convert(members, MemberCollectionType), getter, arguments);
                Type result = typeof(TDelegate).GetMethod("Invoke")!.ReturnType;
                if (!result.IsAssignableFrom(call.Type)) return null;
                var parameters = new ParameterExpression[arguments.Length + 1];
                parameters[0] = members;
                arguments.CopyTo(parameters, 1);
                return Expression.Lambda<TDelegate>(Expression.Convert(call, result), parameters).Compile();
            }
            catch (Exception e) when (e is ArgumentException || e is MemberAccessException || e is AmbiguousMatchException || e is InvalidOperationException)
            {
                return null;
            }
        }

        /// <summary>
        /// <c>new ConsolidatedString(names)</c>, which C# cannot write here since the type is internal: compiled
        /// once, as an expression.
        /// </summary>
        private static Func<IEnumerable<string>, object>? TypeNamesMaker()
        {
            try
            {
                ConstructorInfo? make = InternalTypeNames()?.PropertyType.GetConstructor(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public, null, new[] { typeof(IEnumerable<string>) }, null);
                if (make is null) return null;
                ParameterExpression names = Expression.Parameter(typeof(IEnumerable<string>), "names");
                return Expression.Lambda<Func<IEnumerable<string>, object>>(Expression.New(make, names), names).Compile();
            }
            catch (Exception e) when (e is ArgumentException || e is MemberAccessException || e is AmbiguousMatchException || e is InvalidOperationException)
            {
                return null;
            }
        }

        /// <summary>
        /// <c>obj.InternalTypeNames = new ConsolidatedString(shared)</c>, a copy that shares the joined key of the
        /// collection made by <see cref="MakeTypeNames"/>: compiled once, as an expression.
        /// </summary>
        private static Action<PSObject, object>? TypeNamesSetter()
        {
            try
            {
                PropertyInfo? property = InternalTypeNames();
                Type? collection = property?.PropertyType;
                MethodInfo? setter = property?.GetSetMethod(nonPublic: true);
                ConstructorInfo? copy = collection?.GetConstructor(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public, null, new[] { collection }, null);
                if (setter is null || copy is null) return null;
                ParameterExpression obj = Expression.Parameter(typeof(PSObject), "obj");
                ParameterExpression shared = Expression.Parameter(typeof(object), "shared");
                Expression body = Expression.Call(obj, setter, Expression.New(copy, Expression.Convert(shared, collection!)));
                return Expression.Lambda<Action<PSObject, object>>(body, obj, shared).Compile();
            }
            catch (Exception e) when (e is ArgumentException || e is MemberAccessException || e is AmbiguousMatchException || e is InvalidOperationException)
            {
                return null;
            }
        }

        /// <summary>PSObject's non-public <c>InternalTypeNames</c>, whose type is the engine's type-name collection (ConsolidatedString).</summary>
        private static PropertyInfo? InternalTypeNames() =>
            typeof(PSObject).GetProperty("InternalTypeNames", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);

        /// <summary>
        /// True when the direct reads give exactly the members put on a custom object, also after the public view
        /// has generated the reserved ones, the notes a value was given through another wrapper of it, and the
        /// type names of plain and renamed objects and of a value renamed through another wrapper; and when names
        /// given directly are what the public view lists, and stay an object's own when it changes them, neither
        /// changing the others given the same names nor the names given after.
        /// </summary>
        private static bool Probe()
        {
            if (ReadMembers is null || CountMembers is null || MemberAt is null || ReadIsHidden is null || ReadTypeNames is null || MakeTypeNames is null || WriteTypeNames is null) return false;
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

                object given = MakeTypeNames(new[] { "Probe.First", "Probe.Second" });
                PSObject named = new PSObject(), namedToo = new PSObject(), namedLater = new PSObject();
                WriteTypeNames(named, given);
                WriteTypeNames(namedToo, given);
                named.TypeNames.Insert(0, "Probe.Changed");
                named.TypeNames.RemoveAt(2);
                WriteTypeNames(namedLater, given);
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
