using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Citadel.Core.Errors;
using Citadel.Server.Handlers;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;
using Microsoft.AspNetCore.Http;
using J = Citadel.Server.Protocol.KmsJsonContext;

namespace Citadel.Server.Tests.Fuzz;

internal static partial class FuzzTargets
{
    /// <summary>
    /// Each operation's request binding as the endpoint runs it (<c>KmsEndpoint.Bind</c>:
    /// source-generated deserialization, then the operation's validation), with a handler that only
    /// accepts. Mirrors <see cref="Operations.Kms"/>; a test checks that no operation is missing.
    /// </summary>
    public static IReadOnlyList<Operation> Bindings { get; } =
    [
        Bind("CreateKey", "kms", J.Default.CreateKeyRequest),
        Bind("DescribeKey", "kms", J.Default.DescribeKeyRequest),
        Bind("ListKeys", "kms", J.Default.ListKeysRequest),
        Bind("Encrypt", "kms", J.Default.EncryptRequest),
        Bind("Decrypt", "kms", J.Default.DecryptRequest, DecryptHandler.Validate),
        Bind("ReEncrypt", "kms", J.Default.ReEncryptRequest, ReEncryptHandler.Validate),
        Bind("GenerateDataKey", "kms", J.Default.GenerateDataKeyRequest),
        Bind("GenerateDataKeyWithoutPlaintext", "kms", J.Default.GenerateDataKeyRequest),
        Bind("GenerateRandom", "kms", J.Default.GenerateRandomRequest),
        Bind("EnableKey", "kms", J.Default.KeyIdRequest),
        Bind("DisableKey", "kms", J.Default.KeyIdRequest),
        Bind("ScheduleKeyDeletion", "kms", J.Default.ScheduleKeyDeletionRequest),
        Bind("CancelKeyDeletion", "kms", J.Default.KeyIdRequest),
        Bind("UpdateKeyDescription", "kms", J.Default.UpdateKeyDescriptionRequest),
        Bind("CreateAlias", "kms", J.Default.AliasRequest),
        Bind("UpdateAlias", "kms", J.Default.AliasRequest),
        Bind("DeleteAlias", "kms", J.Default.AliasRequest),
        Bind("ListAliases", "kms", J.Default.ListAliasesRequest),
        Bind("TagResource", "kms", J.Default.TagResourceRequest),
        Bind("UntagResource", "kms", J.Default.UntagResourceRequest),
        Bind("ListResourceTags", "kms", J.Default.ListResourceTagsRequest),
        Bind("EnableKeyRotation", "kms", J.Default.EnableKeyRotationRequest),
        Bind("DisableKeyRotation", "kms", J.Default.KeyIdRequest),
        Bind("GetKeyRotationStatus", "kms", J.Default.KeyIdRequest),
        Bind("RotateKeyOnDemand", "kms", J.Default.KeyIdRequest),
        Bind("ListKeyRotations", "kms", J.Default.ListKeyRotationsRequest),
        Bind("PutKeyPolicy", "kms", J.Default.PutKeyPolicyRequest),
        Bind("GetKeyPolicy", "kms", J.Default.GetKeyPolicyRequest),
        Bind("ListKeyPolicies", "kms", J.Default.ListKeyPoliciesRequest),
        Bind("CreateGrant", "kms", J.Default.CreateGrantRequest),
        Bind("ListGrants", "kms", J.Default.ListGrantsRequest),
        Bind("ListRetirableGrants", "kms", J.Default.ListRetirableGrantsRequest),
        Bind("RetireGrant", "kms", J.Default.RetireGrantRequest),
        Bind("RevokeGrant", "kms", J.Default.RevokeGrantRequest),
        Bind("GetKeyLastUsage", "kms", J.Default.GetKeyLastUsageRequest),
        Bind("LookupEvents", "cloudtrail", J.Default.LookupEventsRequest, LookupEventsHandler.Validate),
        Bind("Sign", "kms", J.Default.SignRequest),
        Bind("Verify", "kms", J.Default.VerifyRequest),
        Bind("GenerateMac", "kms", J.Default.MacRequest),
        Bind("VerifyMac", "kms", J.Default.MacRequest),
        Bind("DeriveSharedSecret", "kms", J.Default.DeriveSharedSecretRequest),
        Bind("GetPublicKey", "kms", J.Default.GetPublicKeyRequest),
        Bind("GenerateDataKeyPair", "kms", J.Default.GenerateDataKeyPairRequest),
        Bind("GenerateDataKeyPairWithoutPlaintext", "kms", J.Default.GenerateDataKeyPairRequest),
        Bind("GetParametersForImport", "kms", J.Default.GetParametersForImportRequest),
        Bind("ImportKeyMaterial", "kms", J.Default.ImportKeyMaterialRequest),
        Bind("DeleteImportedKeyMaterial", "kms", J.Default.DeleteImportedKeyMaterialRequest),
        Bind("DescribeCustomKeyStores", "kms", J.Default.DescribeCustomKeyStoresRequest),
        Bind("CreateCustomKeyStore", "kms", J.Default.CustomKeyStoreSettingsRequest),
        Bind("UpdateCustomKeyStore", "kms", J.Default.CustomKeyStoreSettingsRequest),
        Bind("ConnectCustomKeyStore", "kms", J.Default.CustomKeyStoreIdRequest),
        Bind("DisconnectCustomKeyStore", "kms", J.Default.CustomKeyStoreIdRequest),
        Bind("DeleteCustomKeyStore", "kms", J.Default.CustomKeyStoreIdRequest),
        Bind("ReplicateKey", "kms", J.Default.MultiRegionRequest),
        Bind("UpdatePrimaryRegion", "kms", J.Default.MultiRegionRequest),
    ];

    private static Operation Bind<T>(string name, string service, JsonTypeInfo<T> typeInfo, Validator<T>? validate = null)
        where T : class, new() =>
        new(name, service, true, KmsEndpoint.Bind(typeInfo, validate ?? (static (T _, ref Validation _) => { }), static (_, _) => ValueTask.FromResult<KmsError?>(null)));

    /// <summary>A request context as the endpoint starts it for <paramref name="operation"/> (the model's validation reads the operation's name).</summary>
    public static RequestContext Context(Operation operation, ReadOnlyMemory<byte> body)
    {
        var context = new RequestContext(null!) { Body = body };
        context.Start(new DefaultHttpContext(), "fuzz", operation);
        return context;
    }

    /// <summary>
    /// The first byte of an input picks the operation (modulo their number), the rest is the body.
    /// Corpus: a body per operation with every member of its input shape, generated from the KMS and
    /// CloudTrail models in botocore, and regression cases, as Fuzz/corpus/json/&lt;Operation&gt;[.case].json.
    /// </summary>
    private static FuzzTarget RequestJson() => new(
        "json",
        () => [],
        input =>
        {
            if (input.Length == 0)
            {
                return;
            }

            var operation = Bindings[input[0] % Bindings.Count];
            var result = operation.Invoke(Context(operation, input.AsMemory(1)));
            if (!result.IsCompleted)
            {
                throw new InvalidOperationException("The binding did not complete synchronously.");
            }

            _ = result.Result;
        },
        ShortRunExecutions: 15_000,
        Tokens: JsonTokens,
        FromFile: (file, bytes) =>
        {
            var operation = file[..file.IndexOf('.', StringComparison.Ordinal)];
            var index = Bindings.Select(b => b.Name).ToList().IndexOf(operation);
            return index < 0 ? throw new InvalidOperationException($"Fuzz/corpus/json/{file} names no operation.") : [(byte)index, .. bytes];
        });

    /// <summary>The body of a json input, with the operation it goes to.</summary>
    public static (string Operation, byte[] Body) DescribeJson(byte[] input) =>
        input.Length == 0 ? ("", input) : (Bindings[input[0] % Bindings.Count].Name, input[1..]);

    /// <summary>
    /// CloudTrail's LookupEvents request as the handler reads it before it goes to the store: the
    /// binding, then the time range, MaxResults and NextToken (<see cref="LookupEventsHandler.ReadQuery"/>).
    /// </summary>
    private static FuzzTarget LookupEventsQuery() => new(
        "lookup-events",
        () => Utf8(
            """{"LookupAttributes":[{"AttributeKey":"EventName","AttributeValue":"Encrypt"}],"StartTime":1700000000,"EndTime":1800000000.5,"MaxResults":50,"NextToken":"MTcwMDAwMDAwMDAwMHxub2RlLWF8MTI="}""",
            """{"StartTime":-62135596800,"EndTime":253402300799}"""),
        input =>
        {
            LookupEventsRequest? request;
            try
            {
                request = JsonSerializer.Deserialize(input, J.Default.LookupEventsRequest);
            }
            catch (JsonException)
            {
                return;
            }

            if (request is null)
            {
                return;
            }

            var validation = new Validation();
            LookupEventsHandler.Validate(request, ref validation);
            if (validation.ToError() is null)
            {
                LookupEventsHandler.ReadQuery(request, "111122223333");
            }
        },
        ShortRunExecutions: 15_000,
        Tokens: [.. JsonTokens, .. Utf8("1e300", "-1e300", "9.3e15", "-9.3e15", "253402300800", "-62135596801", "\"StartTime\":", "\"EndTime\":", "\"NextToken\":", "fA==", "MXwxfDE=")]);
}
