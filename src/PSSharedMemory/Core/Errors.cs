using System;
using System.Globalization;
using PSSharedMemory.Resources;

namespace PSSharedMemory
{
    /// <summary>Builds the core's exceptions from the message table, formatted in the current UI culture.</summary>
    internal static class Errors
    {
        public static SharedMemoryException Create(SharedMemoryError error, object? target, string messageName, params object?[] args) =>
            new SharedMemoryException(error, Format(messageName, args), target);

        public static SharedMemoryException Native(SharedMemoryError error, object? target, int code, string messageName, params object?[] args) =>
            new SharedMemoryException(error, Format(messageName, args), target, code);

        public static string Format(string messageName, params object?[] args)
        {
            string? template = Messages.ResourceManager.GetString(messageName, CultureInfo.CurrentUICulture);
            if (template is null) throw new InvalidOperationException("Missing message " + messageName);
            return string.Format(CultureInfo.CurrentCulture, template, args);
        }
    }
}
