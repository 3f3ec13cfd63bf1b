using System.Runtime.InteropServices;

namespace Lahja.Jobs.Tests;

/// <summary>kill(2): .NET's Process.Kill only sends SIGKILL; services are stopped with SIGTERM.</summary>
internal static partial class Syscall
{
    public const int SigTerm = 15;

    public static void Kill(int pid, int signal)
    {
        if (SysKill(pid, signal) != 0) throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SysKill(int pid, int signal);
}
