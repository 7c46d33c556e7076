using Xunit.Abstractions;
using Xunit.Sdk;

namespace Dggrn.Tests.Common;

/// <summary>Turns a <see cref="FaultAttribute"/> into the xunit traits "Fault" and "Promise" (which reach the trx file).</summary>
public sealed class FaultTraitDiscoverer : ITraitDiscoverer
{
    /// <inheritdoc />
    public IEnumerable<KeyValuePair<string, string>> GetTraits(IAttributeInfo traitAttribute)
    {
        var args = traitAttribute.GetConstructorArguments().Select(a => a?.ToString() ?? "").ToList();
        if (args.Count != 2) throw new InvalidOperationException($"[Fault] takes (fault, promise); found {args.Count} argument(s)");
        yield return new(FaultAttribute.FaultTrait, args[0]);
        yield return new(FaultAttribute.PromiseTrait, args[1]);
    }
}
