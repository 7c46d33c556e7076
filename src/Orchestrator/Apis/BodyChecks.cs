using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;

namespace Dggrn.Orchestrator.Apis;

/// <summary>Refuses a JSON body whose required members are null or missing (a non-nullable reference property, or a null
/// element of a non-nullable array), with a 400 naming the JSON path, before any handler dereferences it.</summary>
/// <remarks>
/// System.Text.Json binds a missing or null member of a record as null whatever its annotation says; without this the
/// first handler to touch it would answer 500. The nullable annotations of the Contracts types are the schema, so a new
/// request type is covered without a line here. Only types from the Dggrn.Contracts namespaces are walked.
/// </remarks>
public static class BodyChecks
{
    const int MaxDepth = 16;
    static readonly ConcurrentDictionary<PropertyInfo, NullabilityInfo> Nullability = new();
    static readonly ConcurrentDictionary<Type, PropertyInfo[]> Properties = new();

    /// <summary>Endpoint filter factory: checks every Contracts-typed argument of the handler.</summary>
    public static EndpointFilterDelegate Factory(EndpointFilterFactoryContext context, EndpointFilterDelegate next)
    {
        if (!context.MethodInfo.GetParameters().Any(p => IsContract(p.ParameterType))) return next;
        return async invocation =>
        {
            // By runtime type rather than position: [AsParameters] arguments do not map one to one onto the signature.
            foreach (var argument in invocation.Arguments)
                if (argument is { } body && IsContract(body.GetType()) && FindNull(body, "$", null, 0) is { } path)
                    return Results.Problem(statusCode: StatusCodes.Status400BadRequest,
                        detail: $"request body: {path} is missing or null, but a {body.GetType().Name} requires it");
            return await next(invocation);
        };
    }

    static bool IsContract(Type t) => t.Namespace?.StartsWith("Dggrn.Contracts", StringComparison.Ordinal) == true && !t.IsEnum;

    /// <summary>The JSON path of the first required member that is null; null when there is none.</summary>
    static string? FindNull(object value, string path, NullabilityInfo? info, int depth)
    {
        if (depth > MaxDepth) return null;
        var type = value.GetType();
        if (value is string || type.IsPrimitive || type.IsEnum || type.IsValueType) return null;
        if (value is Array array)
        {
            var elementInfo = info?.ElementType;
            for (var i = 0; i < array.Length; i++)
            {
                var element = array.GetValue(i);
                var at = $"{path}[{i}]";
                if (element is null)
                {
                    if (!type.GetElementType()!.IsValueType && elementInfo?.ReadState == NullabilityState.NotNull) return at;
                    continue;
                }
                if (FindNull(element, at, elementInfo, depth + 1) is { } found) return found;
            }
            return null;
        }
        if (value is IDictionary dictionary)
        {
            var valueInfo = info?.GenericTypeArguments is { Length: 2 } args ? args[1] : null;
            foreach (DictionaryEntry e in dictionary)
            {
                var at = $"{path}.{e.Key}";
                if (e.Value is null)
                {
                    if (valueInfo?.ReadState == NullabilityState.NotNull) return at;
                    continue;
                }
                if (FindNull(e.Value, at, valueInfo, depth + 1) is { } found) return found;
            }
            return null;
        }
        if (!IsContract(type)) return null;
        foreach (var p in Properties.GetOrAdd(type, t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.GetIndexParameters().Length == 0).ToArray()))
        {
            var pInfo = Nullability.GetOrAdd(p, static p => new NullabilityInfoContext().Create(p));
            var at = $"{path}.{JsonName(p.Name)}";
            var v = p.GetValue(value);
            if (v is null)
            {
                if (!p.PropertyType.IsValueType && pInfo.ReadState == NullabilityState.NotNull) return at;
                continue;
            }
            if (FindNull(v, at, pInfo, depth + 1) is { } found) return found;
        }
        return null;
    }

    static string JsonName(string property) => char.ToLowerInvariant(property[0]) + property[1..];
}
