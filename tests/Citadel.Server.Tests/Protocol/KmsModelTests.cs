using System.Collections;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Model;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Tests.Protocol;

/// <summary>
/// The generated validator (Model/KmsModel.g.cs) against the committed copy of the KMS model (Model/kms-model.json):
/// it was generated from that copy, it knows every operation and every member of every input shape, and it checks
/// every constraint. A new member or operation in the model cannot be forgotten: rerun scripts/gen-kms-model.py.
/// </summary>
[Trait("Issue", "16")]
public sealed class KmsModelTests
{
    private static readonly JsonElement Model = LoadModel(out ModelBytes);
    private static readonly byte[] ModelBytes;

    /// <summary>The generated inputs (<see cref="KmsModel.Inputs"/>) by operation name: each one's request type and validation.</summary>
    private static readonly Dictionary<string, ModelInput> InputsByName = typeof(KmsModel.Inputs)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (ModelInput)typeof(KmsModelTests).GetMethod(nameof(InputOf), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(f.FieldType.GetGenericArguments()[0])
            .Invoke(null, [f.GetValue(null)])!)
        .ToDictionary(i => i.Name, StringComparer.Ordinal);

    private delegate void ValidateObject(object request, ref Validation validation);

    private static JsonElement Shapes => Model.GetProperty("shapes");

    [Fact]
    public void The_generated_validator_was_generated_from_the_committed_model()
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(ModelBytes));

        Assert.True(sha == KmsModel.ModelSha256, "KmsModel.g.cs is stale or kms-model.json was edited: run python3 scripts/gen-kms-model.py");
    }

    [Fact]
    public void Every_operation_of_the_model_is_served_and_validated_or_listed_as_unserved()
    {
        var served = Operations.Kms.Where(o => o.Service == "kms").Select(o => o.Name).ToHashSet(StringComparer.Ordinal);

        foreach (var operation in Model.GetProperty("operations").EnumerateObject().Select(p => p.Name))
        {
            if (KmsModel.Unserved.Contains(operation))
            {
                Assert.False(served.Contains(operation), $"{operation} is served now: run scripts/gen-kms-model.py");
                continue;
            }

            Assert.True(served.Contains(operation), $"{operation} is generated but not served");
            var request = Activator.CreateInstance(RequestType(operation)!)!;
            var validation = new Validation();
            Assert.True(Validate(operation, request, ref validation), operation);
        }

        Assert.All(served, operation => Assert.True(RequestType(operation) is not null, $"{operation} is served but not in KmsModel: run scripts/gen-kms-model.py"));
    }

    [Fact]
    public void Every_member_of_every_input_shape_is_a_property_of_its_request_type()
    {
        foreach (var (operation, shape) in ServedInputs())
        {
            AssertMembersAreProperties(operation, shape, RequestType(operation)!);
        }
    }

    [Fact]
    public void Every_property_of_a_request_type_is_a_member_of_the_model()
    {
        var members = new Dictionary<Type, HashSet<string>>();
        foreach (var (operation, shape) in ServedInputs())
        {
            CollectMembers(shape, RequestType(operation)!, members);
        }

        foreach (var (type, names) in members)
        {
            var invented = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name).Where(n => !names.Contains(n));
            Assert.True(!invented.Any(), $"{type.Name} has properties the model does not have: {string.Join(", ", invented)}");
        }
    }

    public static TheoryData<string, string> Constraints()
    {
        var data = new TheoryData<string, string>();
        foreach (var (operation, shape) in ServedInputs())
        {
            foreach (var member in Members(shape))
            {
                if (Violation(member.Shape) is not null || Required(shape).Contains(member.Name))
                {
                    data.Add(operation, member.Name);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Constraints))]
    public void Every_constrained_member_of_every_input_is_checked(string operation, string member)
    {
        var shape = InputShape(operation);
        var type = RequestType(operation)!;
        var memberShape = Members(shape).Single(m => m.Name == member).Shape;
        var path = char.ToLowerInvariant(member[0]) + member[1..];

        if (Required(shape).Contains(member))
        {
            AssertReported(operation, Activator.CreateInstance(type)!, $"Value null at '{path}' failed to satisfy constraint: Member must not be null");
        }

        if (Violation(memberShape) is { } bad)
        {
            var request = Activator.CreateInstance(type)!;
            var (value, nestedPath) = bad(type.GetProperty(member)!.PropertyType);
            type.GetProperty(member)!.SetValue(request, value);
            AssertReported(operation, request, $"at '{path}{nestedPath}' failed to satisfy constraint");
        }
    }

    public static TheoryData<string, object> HotRequests() => new()
    {
        { "Encrypt", new EncryptRequest { KeyId = "alias/app", Plaintext = new byte[32], EncryptionContext = new() { ["purpose"] = "test" }, GrantTokens = ["token"], EncryptionAlgorithm = "SYMMETRIC_DEFAULT" } },
        { "Decrypt", new DecryptRequest { CiphertextBlob = new byte[128], EncryptionContext = new() { ["purpose"] = "test" }, GrantTokens = ["token"], KeyId = "alias/app" } },
        { "GenerateDataKey", new GenerateDataKeyRequest { KeyId = "alias/app", KeySpec = "AES_256", EncryptionContext = new() { ["purpose"] = "test" } } },
        { "Sign", new SignRequest { KeyId = "alias/app", Message = new byte[32], MessageType = "RAW", SigningAlgorithm = "ECDSA_SHA_256" } },
        { "Verify", new VerifyRequest { KeyId = "alias/app", Message = new byte[32], Signature = new byte[64], SigningAlgorithm = "ECDSA_SHA_256" } },
    };

    [Theory]
    [MemberData(nameof(HotRequests))]
    public void Validating_a_valid_request_of_a_hot_operation_allocates_nothing(string operation, object request)
    {
        var validation = new Validation();
        Validate(operation, request, ref validation);

        // The JIT moving a method to its next tier can allocate on this thread once; an allocation of the
        // validator's own happens in every round, so the last of a few rounds must be clean.
        long allocated = 0;
        for (var round = 0; round < 5; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 100; i++)
            {
                Validate(operation, request, ref validation);
            }

            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated == 0)
            {
                break;
            }
        }

        Assert.False(validation.HasErrors);
        Assert.Equal(0, allocated);
    }

    private static void AssertReported(string operation, object request, string expected)
    {
        var validation = new Validation();
        Validate(operation, request, ref validation);
        var message = validation.ToError()?.Message;

        Assert.True(message is not null && message.Contains(expected, StringComparison.Ordinal), $"{operation}: expected '{expected}' in '{message}'");
    }

    /// <summary>A value that violates the shape, for a property of the given type, and the path below the member it is reported at.</summary>
    private static Func<Type, (object? Value, string Path)>? Violation(string shapeName)
    {
        var shape = Shapes.GetProperty(shapeName);
        var min = shape.TryGetProperty("min", out var m) ? m.GetInt32() : (int?)null;
        var max = shape.TryGetProperty("max", out var x) ? x.GetInt32() : (int?)null;
        switch (shape.GetProperty("type").GetString())
        {
            case "string" when min > 0:
                return _ => ("", "");
            case "string" when shape.TryGetProperty("pattern", out _) || shape.TryGetProperty("enum", out _):
                return _ => ("\u0001", "");
            case "string" when max is { } limit:
                return _ => (new string('a', limit + 1), "");
            case "blob" when min > 0:
                return _ => (Array.Empty<byte>(), "");
            case "integer" when min is { } low:
                return _ => ((int?)(low - 1), "");
            case "map":
                return _ => (new Dictionary<string, string> { ["a"] = null! }, "");
            case "list":
                var memberShape = shape.GetProperty("member").GetString()!;
                if (Violation(memberShape) is not { } badMember)
                {
                    return max is { } most ? _ => (Enumerable.Repeat("a", most + 1).ToList(), "") : null;
                }

                return type =>
                {
                    var list = (IList)Activator.CreateInstance(type)!;
                    var (item, below) = badMember(type.GetGenericArguments()[0]);
                    list.Add(item);
                    return (list, below.Length == 0 ? "" : ".1.member" + below);
                };
            case "structure":
                foreach (var member in Members(shape))
                {
                    if (Violation(member.Shape) is { } bad)
                    {
                        return type =>
                        {
                            var nested = Activator.CreateInstance(type)!;
                            var (value, below) = bad(type.GetProperty(member.Name)!.PropertyType);
                            type.GetProperty(member.Name)!.SetValue(nested, value);
                            return (nested, "." + char.ToLowerInvariant(member.Name[0]) + member.Name[1..] + below);
                        };
                    }
                }

                return null;
            default:
                return null;
        }
    }

    private static void AssertMembersAreProperties(string where, JsonElement shape, Type type)
    {
        foreach (var member in Members(shape))
        {
            var property = type.GetProperty(member.Name, BindingFlags.Public | BindingFlags.Instance);
            Assert.True(property is not null, $"{where}: model member {member.Name} has no property on {type.Name}, so it is never read or validated");
            var memberShape = Shapes.GetProperty(member.Shape);
            switch (memberShape.GetProperty("type").GetString())
            {
                case "structure":
                    AssertMembersAreProperties($"{where}.{member.Name}", memberShape, property!.PropertyType);
                    break;
                case "list" when Shapes.GetProperty(memberShape.GetProperty("member").GetString()!).GetProperty("type").GetString() == "structure":
                    AssertMembersAreProperties(
                        $"{where}.{member.Name}",
                        Shapes.GetProperty(memberShape.GetProperty("member").GetString()!),
                        property!.PropertyType.GetGenericArguments()[0]);
                    break;
            }
        }
    }

    private static void CollectMembers(JsonElement shape, Type type, Dictionary<Type, HashSet<string>> members)
    {
        if (!members.TryGetValue(type, out var names))
        {
            members[type] = names = new HashSet<string>(StringComparer.Ordinal);
        }

        foreach (var member in Members(shape))
        {
            names.Add(member.Name);
            var memberShape = Shapes.GetProperty(member.Shape);
            var property = type.GetProperty(member.Name)!.PropertyType;
            switch (memberShape.GetProperty("type").GetString())
            {
                case "structure":
                    CollectMembers(memberShape, property, members);
                    break;
                case "list" when Shapes.GetProperty(memberShape.GetProperty("member").GetString()!).GetProperty("type").GetString() == "structure":
                    CollectMembers(Shapes.GetProperty(memberShape.GetProperty("member").GetString()!), property.GetGenericArguments()[0], members);
                    break;
            }
        }
    }

    private static IEnumerable<(string Operation, JsonElement Shape)> ServedInputs() =>
        Model.GetProperty("operations").EnumerateObject()
            .Where(p => !KmsModel.Unserved.Contains(p.Name))
            .Select(p => (p.Name, Shapes.GetProperty(p.Value.GetString()!)));

    private static JsonElement InputShape(string operation) =>
        Shapes.GetProperty(Model.GetProperty("operations").GetProperty(operation).GetString()!);

    private static IEnumerable<(string Name, string Shape)> Members(JsonElement structure) =>
        structure.GetProperty("members").EnumerateObject().Select(p => (p.Name, p.Value.GetProperty("shape").GetString()!));

    private static string[] Required(JsonElement structure) =>
        structure.TryGetProperty("required", out var required) ? [.. required.EnumerateArray().Select(r => r.GetString()!)] : [];

    private static JsonElement LoadModel(out byte[] bytes)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "scripts", "gen-kms-model.py")))
        {
            directory = directory.Parent;
        }

        Assert.True(directory is not null, "the repository root (with scripts/gen-kms-model.py) was not found above " + AppContext.BaseDirectory);
        bytes = File.ReadAllBytes(Path.Combine(directory!.FullName, "src", "Citadel.Server", "Protocol", "Model", "kms-model.json"));
        using var document = JsonDocument.Parse(bytes);
        return document.RootElement.Clone();
    }

    private static ModelInput InputOf<T>(OperationInput<T> input)
        where T : class => new(input.Name, typeof(T), (object request, ref Validation validation) => input.Validate((T)request, ref validation));

    /// <summary>The request type of a served operation, as its generated input declares it; null if the model has none.</summary>
    private static Type? RequestType(string operation) => InputsByName.GetValueOrDefault(operation)?.RequestType;

    /// <summary>Runs the generated validation of <paramref name="operation"/> on <paramref name="request"/>; false if the model has no such served operation.</summary>
    private static bool Validate(string operation, object request, ref Validation validation)
    {
        if (!InputsByName.TryGetValue(operation, out var input))
        {
            return false;
        }

        input.Validate(request, ref validation);
        return true;
    }

    private sealed record ModelInput(string Name, Type RequestType, ValidateObject Validate);
}
