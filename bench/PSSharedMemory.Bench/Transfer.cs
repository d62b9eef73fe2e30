using System;

namespace PSSharedMemory.Bench
{
    /// <summary>
    /// A transfer between this process and peer processes, set up to run rounds: <see cref="Round"/> runs one and
    /// returns its seconds. Disposing it ends the peers and removes what it made. Several can be set up at once,
    /// so that their rounds are timed in turns.
    /// </summary>
    internal sealed class Transfer : IDisposable
    {
        private readonly Action _end;
        private bool _ended;

        public Transfer(Func<double> round, Action end)
        {
            Round = round;
            _end = end;
        }

        public Func<double> Round { get; }

        public void Dispose()
        {
            if (_ended) return;
            _ended = true;
            _end();
        }
    }
}
