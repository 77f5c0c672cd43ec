using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Handlers;
using Citadel.Server.Kms;
using Citadel.Server.Protocol;
using Citadel.Storage;
using Microsoft.AspNetCore.Http;

namespace Citadel.Server.Tests.Architecture;

/// <summary>
/// The application layer (issue 18, part 2): the services under Handlers/ take typed input, the caller and the resolved
/// key and return a typed response; they know no HTTP and no store. Reads and writes go through the repositories on
/// KmsRuntime, which own cache invalidation.
/// </summary>
public sealed partial class ServiceArchitectureTests
{
    private static readonly Type[] HttpTypes = [typeof(HttpContext), typeof(Utf8JsonWriter), typeof(RequestContext)];

    [Fact]
    public void No_service_names_a_store_or_reaches_the_runtime_s_store()
    {
        var offending = ServiceSources().Where(f => StoreReference().IsMatch(File.ReadAllText(f))).Select(Path.GetFileName);

        Assert.Empty(offending);
    }

    [Fact]
    public void No_service_member_takes_returns_or_holds_a_store()
    {
        var offending = ServiceMembers().Where(m => SignatureTypes(m).Any(IsStore)).Select(m => $"{m.DeclaringType!.Name}.{m.Name}");

        Assert.Empty(offending);
    }

    /// <summary>With the rule above (no <c>.Store</c>), services reach the store only through repositories.</summary>
    [Fact]
    public void The_runtime_s_only_store_is_its_Store_property_and_the_rest_are_repositories()
    {
        var stores = typeof(KmsRuntime).GetProperties().Where(p => SignatureTypes(p).Any(IsStore)).Select(p => p.Name);

        Assert.Equal(["Store"], stores);
    }

    [Theory]
    [InlineData("HttpContext")]
    [InlineData("Utf8JsonWriter")]
    [InlineData("RequestContext")]
    [InlineData("Microsoft.AspNetCore")]
    public void No_service_refers_to_HTTP_or_writes_JSON(string forbidden)
    {
        var offending = ServiceSources().Where(f => File.ReadAllText(f).Contains(forbidden, StringComparison.Ordinal)).Select(Path.GetFileName);

        Assert.Empty(offending);
    }

    [Fact]
    public void No_service_member_takes_returns_or_holds_an_HTTP_context_a_JSON_writer_or_a_request_context()
    {
        var offending = ServiceMembers().Where(m => SignatureTypes(m).Any(t => HttpTypes.Contains(t))).Select(m => $"{m.DeclaringType!.Name}.{m.Name}");

        Assert.Empty(offending);
    }

    [Fact]
    public void The_services_are_found_so_the_rules_above_test_something()
    {
        var names = ServiceMembers().Select(m => $"{m.DeclaringType!.Name}.{m.Name}").ToHashSet(StringComparer.Ordinal);

        Assert.Contains("EncryptHandler.EncryptAsync", names);
        Assert.Contains("TagResourceHandler.TagResourceAsync", names);
        Assert.True(ServiceSources().Length >= 40, $"only {ServiceSources().Length} service files were found");
    }

    /// <summary>The rules would catch a service written in the former shape (it wrote its JSON into the request context), or one handed a store.</summary>
    [Fact]
    public void The_rules_catch_the_former_handler_shape_and_a_store()
    {
        var former = typeof(ServiceArchitectureTests).GetMethod(nameof(FormerShapeAsync), BindingFlags.NonPublic | BindingFlags.Static)!;

        Assert.Contains(typeof(RequestContext), SignatureTypes(former));
        Assert.True(IsStore(typeof(IKeyStore)));
        Assert.Matches(StoreReference(), "await kms.Store.GetKeyAsync(id, ct)");
        Assert.Matches(StoreReference(), "IGrantStore grants");
    }

    /// <summary>
    /// No operation can be written in the former shape <c>(RequestContext, T, KeyRecord?) → KmsError?</c> (the rules above
    /// refuse it in Handlers/): the pipeline declares an operation only with a service, and the declaration has no handler.
    /// </summary>
    [Fact]
    public void The_pipeline_declares_an_operation_only_with_a_service()
    {
        var declarations = typeof(Pipeline).GetMethods(BindingFlags.Public | BindingFlags.Static).Where(m => m.Name == nameof(Pipeline.Declare));

        var declaration = Assert.Single(declarations);
        Assert.Contains(declaration.GetParameters(), p => p.ParameterType.IsGenericType && p.ParameterType.GetGenericTypeDefinition() == typeof(OperationService<,>));
        Assert.Null(typeof(OperationSpec<object>).GetProperty("Handle"));
    }

    /// <summary>The former shape, for the tests above to recognise.</summary>
    private static ValueTask<KmsError?> FormerShapeAsync(RequestContext ctx, object request, KeyRecord? key) =>
        ValueTask.FromResult<KmsError?>(null);

    [GeneratedRegex(@"\bI[A-Z]\w*Store\b|\.Store\b|Citadel\.Storage\.Sql")]
    private static partial Regex StoreReference();

    private static bool IsStore(Type type) =>
        type.Assembly == typeof(IStore).Assembly && type.IsInterface && type.Name.EndsWith("Store", StringComparison.Ordinal);

    private static IEnumerable<Type> SignatureTypes(MemberInfo member)
    {
        IEnumerable<Type> types = member switch
        {
            MethodInfo method => method.GetParameters().Select(p => p.ParameterType).Append(method.ReturnType),
            FieldInfo field => [field.FieldType],
            PropertyInfo property => [property.PropertyType],
            _ => [],
        };
        return types.SelectMany(Unwrap);
    }

    /// <summary>A type and the types it is built of (ValueTask&lt;Result&lt;T&gt;&gt;, arrays, by-ref parameters).</summary>
    private static IEnumerable<Type> Unwrap(Type type)
    {
        yield return type;
        if (type.HasElementType)
        {
            foreach (var element in Unwrap(type.GetElementType()!))
            {
                yield return element;
            }
        }

        if (type.IsGenericType)
        {
            foreach (var argument in type.GetGenericArguments().SelectMany(Unwrap))
            {
                yield return argument;
            }
        }
    }

    private static IEnumerable<MemberInfo> ServiceMembers()
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;
        return typeof(EncryptHandler).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(EncryptHandler).Namespace)
            .SelectMany(t => t.GetMembers(all));
    }

    private static string[] ServiceSources() =>
        PipelineArchitectureTests.SourceFiles("Handlers");
}
