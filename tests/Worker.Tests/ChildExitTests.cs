using Dggrn.Worker.Service;

namespace Dggrn.Worker.Tests;

public sealed class ChildExitTests
{
    [Theory]
    [InlineData(137, "SIGKILL")]
    [InlineData(139, "SIGSEGV")]
    [InlineData(134, "SIGABRT")]
    [InlineData(130, "signal 2")]
    [InlineData(3, "code 3")]
    public void NamesTheCause(int code, string expected) => Assert.Contains(expected, ChildExit.Describe(code));
}
