using Dggrn.Worker.Service;

namespace Dggrn.Worker.Tests;

public sealed class ChildExitTests
{
    [Dggrn.Tests.Common.Fault("A trial process dies of a signal or an exit code",
        "the reported failure names the cause (SIGKILL, SIGSEGV, exit code)")]
    [Theory]
    [InlineData(137, "SIGKILL")]
    [InlineData(139, "SIGSEGV")]
    [InlineData(134, "SIGABRT")]
    [InlineData(130, "signal 2")]
    [InlineData(3, "code 3")]
    public void NamesTheCause(int code, string expected) => Assert.Contains(expected, ChildExit.Describe(code));
}
