using System.Management.Automation;

namespace PSSharedMemory.Commands
{
    /// <summary>Closes the handles a session opened when the module is removed from it.</summary>
    public sealed class ModuleLifetime : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        /// <inheritdoc/>
        public void OnImport()
        {
        }

        /// <inheritdoc/>
        public void OnRemove(PSModuleInfo psModuleInfo) => SessionHandles.CloseAllInCurrentRunspace();
    }
}
