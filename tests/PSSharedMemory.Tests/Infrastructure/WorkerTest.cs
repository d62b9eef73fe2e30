using System;
using System.IO;
using System.Linq;
using Xunit.Abstractions;

namespace PSSharedMemory.Tests.Infrastructure
{
    /// <summary>A test that drives worker processes on the core and reports figures; removes its segments after.</summary>
    public abstract class WorkerTest : IDisposable
    {
        private static readonly string Worker = Path.Combine(AppContext.BaseDirectory, "PSSharedMemory.TestWorker.dll");

        protected WorkerTest(ITestOutputHelper output, string prefix)
        {
            Output = output;
            SegmentName = Names.Unique(prefix);
        }

        protected ITestOutputHelper Output { get; }

        protected string SegmentName { get; }

        /// <summary>Starts tests/PSSharedMemory.TestWorker with the given command line.</summary>
        protected static ChildProcess StartWorker(params string[] arguments) => ChildProcess.Start("dotnet", new[] { Worker }.Concat(arguments));

        public void Dispose()
        {
            foreach (string suffix in new[] { "", "_raw", "_count" })
            {
                Names.DeleteSegment(SegmentName + suffix);
            }

            GC.SuppressFinalize(this);
        }
    }
}
