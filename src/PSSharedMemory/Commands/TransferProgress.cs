using System.Management.Automation;

namespace PSSharedMemory.Commands
{
    /// <summary>
    /// Write-Progress for copying a large value into or out of a segment: bytes done of the total, at most
    /// once per percent, and nothing at all for values under <see cref="Threshold"/>, which copy faster
    /// than a progress bar can be drawn.
    /// </summary>
    internal sealed class TransferProgress
    {
        /// <summary>Values from this size on show progress.</summary>
        public const long Threshold = 8L << 20;

        private readonly Cmdlet _cmdlet;
        private readonly string _activity;
        private string _status = " ";
        private int _shownPercent = -1;

        public TransferProgress(Cmdlet cmdlet, string activityMessageName, string segmentName)
        {
            _cmdlet = cmdlet;
            _activity = Errors.Format(activityMessageName, segmentName);
        }

        private static int ActivityId => 0x5053534D; // "PSSM": one bar per cmdlet call, whatever else reports progress

        public void Report(long done, long total)
        {
            if (total < Threshold) return;
            int percent = (int)(done * 100 / total);
            if (percent == _shownPercent) return;
            _shownPercent = percent;
            _status = Errors.Format(nameof(Resources.Messages.ProgressStatus), done >> 20, total >> 20, percent);
            // A new record each time: hosts and Streams.Progress keep the records they were given.
            _cmdlet.WriteProgress(new ProgressRecord(ActivityId, _activity, _status) { PercentComplete = percent });
        }

        /// <summary>Takes the bar down; call in a finally block, so that a failure or Ctrl+C does not leave it up.</summary>
        public void Complete()
        {
            if (_shownPercent < 0) return;
            _cmdlet.WriteProgress(new ProgressRecord(ActivityId, _activity, _status) { PercentComplete = _shownPercent, RecordType = ProgressRecordType.Completed });
        }
    }
}
