namespace Citadel.Server.Tests;

/// <summary>Measures what code allocates on the calling thread once warm, for the zero-allocation tests of the request path.</summary>
internal static class Allocations
{
    /// <summary>
    /// The bytes <paramref name="run"/> allocates on this thread in the last of up to five rounds (each
    /// warmed by a run before it). The JIT moving a method to its next tier can allocate on this thread
    /// once; an allocation of the code's own happens in every round, so the last round must be clean.
    /// </summary>
    public static long OfWarmRun(Action run)
    {
        long allocated = 0;
        for (var round = 0; round < 5; round++)
        {
            run();
            var before = GC.GetAllocatedBytesForCurrentThread();
            run();
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated == 0)
            {
                break;
            }
        }

        return allocated;
    }
}
