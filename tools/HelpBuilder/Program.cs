using System;
using System.IO;

namespace HelpBuilder
{
    /// <summary>Usage: HelpBuilder &lt;docs/help folder&gt; &lt;module output folder&gt;.</summary>
    internal static class Program
    {
        private static int Main(string[] args)
        {
            if (args.Length != 2)
            {
                Console.Error.WriteLine("usage: HelpBuilder <markdown folder> <module folder>");
                return 2;
            }

            try
            {
                int count = MamlWriter.Write(args[0], args[1]);
                Console.WriteLine($"HelpBuilder: {count} cmdlet help topics written to {Path.Combine(args[1], "en-US")}");
                return 0;
            }
            catch (FormatException e)
            {
                Console.Error.WriteLine("HelpBuilder: error: " + e.Message);
                return 1;
            }
        }
    }
}
