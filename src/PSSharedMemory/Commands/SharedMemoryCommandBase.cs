using System.Collections.Generic;
using System.Management.Automation;
using System.Reflection;
using System.Threading;
using System;
using PSSharedMemory.Platform;
using PSSharedMemory.Serialization;

namespace PSSharedMemory.Commands
{
    /// <summary>
    /// What every cmdlet of the module shares: turning the core's errors into error records, finding a
    /// segment by handle or name, holding its lock with warnings, and stopping on Ctrl+C.
    /// </summary>
    public abstract class SharedMemoryCommandBase : PSCmdlet, IDisposable
    {
        /// <summary>
        /// The engine's command runtime's <c>CalculatePossibleShouldProcessOptimization</c> and the outcome that
        /// lets a call skip ShouldProcess, found once rather than by every command; nulls where either is missing.
        /// </summary>
        private static readonly (MethodInfo? Calculate, object? CanSkip) ShouldProcessOptimization = FindShouldProcessOptimization();

        private readonly CancellationTokenSource _stopping = new CancellationTokenSource();
        private string? _errorIdPrefix;
        private bool? _verboseShown;
        private bool? _goesAheadSilently;
        private readonly Lazy<bool> _readMembersDirectly = new Lazy<bool>(FlatObjectCodec.CanReadMembersDirectly, LazyThreadSafetyMode.None);

        /// <summary>Cancelled when the user presses Ctrl+C, so that lock waits end at once.</summary>
        protected CancellationToken StopToken => _stopping.Token;

        /// <summary>The verb and noun of the cmdlet, which start every error ID it reports.</summary>
        protected string ErrorIdPrefix
        {
            get
            {
                if (_errorIdPrefix is null)
                {
                    var attribute = (CmdletAttribute)Attribute.GetCustomAttribute(GetType(), typeof(CmdletAttribute));
                    _errorIdPrefix = attribute.VerbName + attribute.NounName;
                }

                return _errorIdPrefix;
            }
        }

        /// <inheritdoc/>
        public void Dispose()
        {
            _stopping.Dispose();
            GC.SuppressFinalize(this);
        }

        /// <inheritdoc/>
        protected override void StopProcessing() => _stopping.Cancel();

        /// <summary>The one mapping from the core's errors to PowerShell error records.</summary>
        protected ErrorRecord ToErrorRecord(SharedMemoryException exception) =>
            new ErrorRecord(exception, ErrorIdPrefix + exception.Error, CategoryOf(exception.Error), exception.Target);

        /// <summary>An error record for a failure found by the cmdlet layer itself.</summary>
        protected ErrorRecord NewErrorRecord(string reason, ErrorCategory category, object? target, string messageName, Exception? inner, params object?[] args) =>
            new ErrorRecord(new SharedMemoryCommandException(Errors.Format(messageName, args), inner), ErrorIdPrefix + reason, category, target);

        /// <summary>Converts seconds from a parameter; null means the handle's own default.</summary>
        protected static TimeSpan? ToTimeout(double? seconds) => seconds.HasValue ? TimeSpan.FromSeconds(seconds.Value) : null;

        /// <summary>
        /// The segment a command addresses: the handle given, else an open handle of this session with that
        /// name, else the segment opened just for this command (closed again by disposing the result).
        /// </summary>
        internal SegmentUse Resolve(SharedMemorySegment? handle, string? name, SegmentScope scope, double? timeoutSeconds)
        {
            if (handle is not null)
            {
                if (handle.IsClosed) throw handle.Closed();
                return new SegmentUse(handle, owned: false);
            }

            (string bare, SegmentScope effectiveScope) = SegmentNameRules.Split(name!, scope);
            SharedMemorySegment? open = SessionHandles.Find(bare, effectiveScope);
            if (open is not null) return new SegmentUse(open, owned: false);

            var options = new SegmentOptions(name!)
            {
                Mode = OpenMode.OpenExisting,
                Format = SegmentFormat.Detect,
                Scope = scope,
                LockTimeout = ToTimeout(timeoutSeconds) ?? SegmentOptions.DefaultLockTimeout,
            };
            SharedMemorySegment opened = SharedMemorySegment.Open(options, StopToken);
            WarnIfAbandoned(opened.RecoveredAbandonedLock, opened.Name);
            return new SegmentUse(opened, owned: true);
        }

        /// <summary>Runs <paramref name="action"/> holding the segment's lock, warning when it was abandoned.</summary>
        internal T UnderLock<T>(SharedMemorySegment segment, double? timeoutSeconds, Func<LockedSegment, T> action) =>
            Stoppable(segment, () =>
            {
                using LockedSegment locked = segment.Lock(ToTimeout(timeoutSeconds), StopToken);
                WarnIfAbandoned(locked.WasAbandoned, segment.Name);
                return action(locked);
            });

        /// <summary>Runs <paramref name="action"/> under the lock with a progress bar for a large value, taken down however it ends.</summary>
        internal T UnderLockWithProgress<T>(SharedMemorySegment segment, double? timeoutSeconds, string activityMessageName, Func<LockedSegment, Action<long, long>, T> action)
        {
            var progress = new TransferProgress(this, activityMessageName, segment.Name);
            try
            {
                return UnderLock(segment, timeoutSeconds, locked => action(locked, progress.Report));
            }
            finally
            {
                progress.Complete();
            }
        }

        /// <summary>Runs a core call that takes <see cref="StopToken"/>, reporting Ctrl+C as the module's Canceled error.</summary>
        private static T Stoppable<T>(SharedMemorySegment segment, Func<T> call)
        {
            try
            {
                return call();
            }
            catch (OperationCanceledException e)
            {
                throw new SharedMemoryException(SharedMemoryError.Canceled, Errors.Format(nameof(Resources.Messages.Canceled), segment.Name), segment.Name, 0, e);
            }
        }

        /// <summary>The core's wait loop, with the warning for an abandoned lock and Ctrl+C as a stop.</summary>
        internal T? WaitUntil<T>(SharedMemorySegment segment, double? lockTimeoutSeconds, TimeSpan timeout, Func<LockedSegment, T?> attempt)
            where T : class =>
            Stoppable(segment, () => segment.WaitUntil(
                locked =>
                {
                    WarnIfAbandoned(locked.WasAbandoned, segment.Name);
                    return attempt(locked);
                },
                timeout,
                ToTimeout(lockTimeoutSeconds),
                StopToken));

        /// <summary>The core's wait without the lock (a consumer's), with Ctrl+C as a stop.</summary>
        internal T? WaitFor<T>(SharedMemorySegment segment, TimeSpan timeout, Func<SharedMemorySegment, T?> attempt)
            where T : class =>
            Stoppable(segment, () => segment.WaitFor(attempt, timeout, StopToken));

        /// <summary>Converts seconds to a wait bound; none means wait until Ctrl+C.</summary>
        protected static TimeSpan WaitBound(double? seconds) => seconds.HasValue ? TimeSpan.FromSeconds(seconds.Value) : TimeSpan.FromDays(365);

        /// <summary>-WhatIf and -Confirm: describes the change with a message of the message table; true to go ahead.</summary>
        protected bool ShouldChange(string messageName, params object?[] args)
        {
            if (GoesAheadSilently) return true;
            string change = Errors.Format(messageName, args);
            return ShouldProcess(change, change, MyInvocation.MyCommand.Name);
        }

        /// <summary>
        /// <see cref="ShouldChange(string, object[])"/> for the change made once per queue message: its arguments
        /// are boxed, and its text made, only when ShouldProcess would use the text.
        /// </summary>
        protected bool ShouldChange<T1, T2, T3>(string messageName, T1 first, T2 second, T3 third) =>
            GoesAheadSilently || ShouldChange(messageName, new object?[] { first, second, third });

        /// <summary>
        /// True when ShouldProcess would go ahead without asking, showing or writing anything: no -WhatIf, no
        /// confirmation due, no -Verbose. Then the call, and the text made for it, are skipped, as the engine's
        /// own CIM cmdlets skip them: for a queue, making that text was a large share of Write-SharedMemory's
        /// time per message (docs/performance.md). The engine decides it, through the non-public
        /// <c>CalculatePossibleShouldProcessOptimization</c> of its command runtime, once per call; where that
        /// cannot be asked (another runtime), ShouldProcess is always called.
        /// </summary>
        private bool GoesAheadSilently => _goesAheadSilently ??= AskGoesAheadSilently();

        private bool AskGoesAheadSilently()
        {
            (MethodInfo? calculate, object? canSkip) = ShouldProcessOptimization;
            object? runtime = CommandRuntime;
            if (calculate is null || runtime is null || !calculate.DeclaringType!.IsInstanceOfType(runtime)) return false;
            try
            {
                return Equals(calculate.Invoke(runtime, null), canSkip);
            }
            catch (Exception e) when (e is TargetInvocationException || e is MemberAccessException)
            {
                return false;
            }
        }

        private static (MethodInfo? Calculate, object? CanSkip) FindShouldProcessOptimization()
        {
            try
            {
                Type? runtime = typeof(PSCmdlet).Assembly.GetType("System.Management.Automation.MshCommandRuntime");
                MethodInfo? calculate = runtime?.GetMethod("CalculatePossibleShouldProcessOptimization", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public, null, Type.EmptyTypes, null);
                if (calculate is null || !calculate.ReturnType.IsEnum) return (null, null);
                return (calculate, Enum.Parse(calculate.ReturnType, "AutoYes_CanSkipShouldProcessCall"));
            }
            catch (Exception e) when (e is ArgumentException || e is AmbiguousMatchException || e is TypeLoadException)
            {
                return (null, null);
            }
        }

        /// <summary>
        /// Pipeline objects as a stored value (<see cref="ValueCodec"/>). Whether plain objects' members are read
        /// directly is decided once per call, on its first plain object: type data can change between calls.
        /// </summary>
        private protected StoredValue Encode(IReadOnlyList<object?> values, int depth) =>
            ValueCodec.Encode(values, depth, _readMembersDirectly);

        /// <summary>
        /// Writes the message of the message table, formatted, to the verbose stream, when verbose output is
        /// wanted at all: a queue writes one per message, and formatting and passing on messages that nobody
        /// sees cost more than the message's trip through shared memory.
        /// </summary>
        protected void Verbose(string messageName, params object?[] args)
        {
            if (VerboseShown) WriteVerbose(Errors.Format(messageName, args));
        }

        /// <summary>
        /// <see cref="Verbose(string, object[])"/> for the messages written once per queue message: their
        /// arguments are boxed, and an array made for them, only when the message is shown.
        /// </summary>
        protected void Verbose<T1, T2, T3>(string messageName, T1 first, T2 second, T3 third)
        {
            if (VerboseShown) WriteVerbose(Errors.Format(messageName, first, second, third));
        }

        /// <inheritdoc cref="Verbose{T1, T2, T3}(string, T1, T2, T3)"/>
        protected void Verbose<T1, T2, T3, T4>(string messageName, T1 first, T2 second, T3 third, T4 fourth)
        {
            if (VerboseShown) WriteVerbose(Errors.Format(messageName, first, second, third, fourth));
        }

        private bool VerboseShown => _verboseShown ??= VerboseWanted();

        /// <summary>What decides whether WriteVerbose shows anything: -Verbose, else -Debug, else $VerbosePreference.</summary>
        private bool VerboseWanted()
        {
            if (MyInvocation.BoundParameters.TryGetValue("Verbose", out object? verbose)) return ((SwitchParameter)verbose).ToBool();
            if (MyInvocation.BoundParameters.TryGetValue("Debug", out object? debug) && ((SwitchParameter)debug).ToBool()) return true;
            // A preference that cannot be read as one leaves the decision to WriteVerbose itself.
            return !LanguagePrimitives.TryConvertTo(GetVariableValue("VerbosePreference"), out ActionPreference preference)
                || (preference != ActionPreference.SilentlyContinue && preference != ActionPreference.Ignore);
        }

        private void WarnIfAbandoned(bool abandoned, string name)
        {
            if (abandoned) WriteWarning(Errors.Format(nameof(Resources.Messages.AbandonedLock), name));
        }

        private static ErrorCategory CategoryOf(SharedMemoryError error) => error switch
        {
            SharedMemoryError.NameInvalid or SharedMemoryError.SizeInvalid or SharedMemoryError.SizeRequired
                or SharedMemoryError.SizeExceedsExisting or SharedMemoryError.OutOfRange or SharedMemoryError.FileInvalid
                or SharedMemoryError.ChecksumDiffers => ErrorCategory.InvalidArgument,
            SharedMemoryError.AlreadyExists => ErrorCategory.ResourceExists,
            SharedMemoryError.NotFound => ErrorCategory.ObjectNotFound,
            SharedMemoryError.ValueTooLarge => ErrorCategory.LimitsExceeded,
            SharedMemoryError.LockTimeout or SharedMemoryError.WaitTimeout => ErrorCategory.OperationTimeout,
            SharedMemoryError.HandleClosed or SharedMemoryError.NotAValueSegment or SharedMemoryError.WrongKind => ErrorCategory.InvalidOperation,
            SharedMemoryError.Corrupted or SharedMemoryError.Truncated => ErrorCategory.InvalidData,
            SharedMemoryError.AccessDenied or SharedMemoryError.OtherOwner => ErrorCategory.PermissionDenied,
            SharedMemoryError.AccessNotSupported => ErrorCategory.InvalidArgument,
            SharedMemoryError.OutOfSpace => ErrorCategory.ResourceUnavailable,
            SharedMemoryError.LockReentered => ErrorCategory.DeadlockDetected,
            SharedMemoryError.Canceled => ErrorCategory.OperationStopped,
            _ => ErrorCategory.NotSpecified,
        };
    }
}
