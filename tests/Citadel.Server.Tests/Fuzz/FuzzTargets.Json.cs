using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Citadel.Core.Errors;
using Citadel.Server.Handlers;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;
using J = Citadel.Server.Protocol.KmsJsonContext;

namespace Citadel.Server.Tests.Fuzz;

internal static partial class FuzzTargets
{
    /// <summary>
    /// Each operation's request binding as the endpoint runs it (<see cref="KmsEndpoint.Bind"/>:
    /// source-generated deserialization, then the operation's validation), with a handler that only
    /// accepts. Mirrors <see cref="Operations.Kms"/>; a test checks that no operation is missing.
    /// </summary>
    public static IReadOnlyList<(string Operation, Func<RequestContext, ValueTask<KmsError?>> Bind)> Bindings { get; } =
    [
        ("CreateKey", Bind(J.Default.CreateKeyRequest, CreateKeyHandler.Validate)),
        ("DescribeKey", Bind(J.Default.DescribeKeyRequest, DescribeKeyHandler.Validate)),
        ("ListKeys", Bind(J.Default.ListKeysRequest, ListKeysHandler.Validate)),
        ("Encrypt", Bind(J.Default.EncryptRequest, EncryptHandler.Validate)),
        ("Decrypt", Bind(J.Default.DecryptRequest, DecryptHandler.Validate)),
        ("ReEncrypt", Bind(J.Default.ReEncryptRequest, ReEncryptHandler.Validate)),
        ("GenerateDataKey", Bind(J.Default.GenerateDataKeyRequest, GenerateDataKeyHandler.Validate)),
        ("GenerateDataKeyWithoutPlaintext", Bind(J.Default.GenerateDataKeyRequest, GenerateDataKeyHandler.Validate)),
        ("GenerateRandom", Bind(J.Default.GenerateRandomRequest, GenerateRandomHandler.Validate)),
        ("EnableKey", Bind(J.Default.KeyIdRequest, EnableKeyHandler.Validate)),
        ("DisableKey", Bind(J.Default.KeyIdRequest, DisableKeyHandler.Validate)),
        ("ScheduleKeyDeletion", Bind(J.Default.ScheduleKeyDeletionRequest, ScheduleKeyDeletionHandler.Validate)),
        ("CancelKeyDeletion", Bind(J.Default.KeyIdRequest, CancelKeyDeletionHandler.Validate)),
        ("UpdateKeyDescription", Bind(J.Default.UpdateKeyDescriptionRequest, UpdateKeyDescriptionHandler.Validate)),
        ("CreateAlias", Bind(J.Default.AliasRequest, CreateAliasHandler.Validate)),
        ("UpdateAlias", Bind(J.Default.AliasRequest, UpdateAliasHandler.Validate)),
        ("DeleteAlias", Bind(J.Default.AliasRequest, DeleteAliasHandler.Validate)),
        ("ListAliases", Bind(J.Default.ListAliasesRequest, ListAliasesHandler.Validate)),
        ("TagResource", Bind(J.Default.TagResourceRequest, TagResourceHandler.Validate)),
        ("UntagResource", Bind(J.Default.UntagResourceRequest, UntagResourceHandler.Validate)),
        ("ListResourceTags", Bind(J.Default.ListResourceTagsRequest, ListResourceTagsHandler.Validate)),
        ("EnableKeyRotation", Bind(J.Default.EnableKeyRotationRequest, EnableKeyRotationHandler.Validate)),
        ("DisableKeyRotation", Bind(J.Default.KeyIdRequest, DisableKeyRotationHandler.Validate)),
        ("GetKeyRotationStatus", Bind(J.Default.KeyIdRequest, GetKeyRotationStatusHandler.Validate)),
        ("RotateKeyOnDemand", Bind(J.Default.KeyIdRequest, RotateKeyOnDemandHandler.Validate)),
        ("ListKeyRotations", Bind(J.Default.ListKeyRotationsRequest, ListKeyRotationsHandler.Validate)),
        ("PutKeyPolicy", Bind(J.Default.PutKeyPolicyRequest, PutKeyPolicyHandler.Validate)),
        ("GetKeyPolicy", Bind(J.Default.GetKeyPolicyRequest, GetKeyPolicyHandler.Validate)),
        ("ListKeyPolicies", Bind(J.Default.ListKeyPoliciesRequest, ListKeyPoliciesHandler.Validate)),
        ("CreateGrant", Bind(J.Default.CreateGrantRequest, CreateGrantHandler.Validate)),
        ("ListGrants", Bind(J.Default.ListGrantsRequest, ListGrantsHandler.Validate)),
        ("ListRetirableGrants", Bind(J.Default.ListRetirableGrantsRequest, ListRetirableGrantsHandler.Validate)),
        ("RetireGrant", Bind(J.Default.RetireGrantRequest, RetireGrantHandler.Validate)),
        ("RevokeGrant", Bind(J.Default.RevokeGrantRequest, RevokeGrantHandler.Validate)),
        ("GetKeyLastUsage", Bind(J.Default.GetKeyLastUsageRequest, GetKeyLastUsageHandler.Validate)),
        ("LookupEvents", Bind(J.Default.LookupEventsRequest, LookupEventsHandler.Validate)),
        ("Sign", Bind(J.Default.SignRequest, SignHandler.Validate)),
        ("Verify", Bind(J.Default.VerifyRequest, VerifyHandler.Validate)),
        ("GenerateMac", Bind(J.Default.MacRequest, MacHandlers.ValidateGenerate)),
        ("VerifyMac", Bind(J.Default.MacRequest, MacHandlers.ValidateVerify)),
        ("DeriveSharedSecret", Bind(J.Default.DeriveSharedSecretRequest, DeriveSharedSecretHandler.Validate)),
        ("GetPublicKey", Bind(J.Default.GetPublicKeyRequest, GetPublicKeyHandler.Validate)),
        ("GenerateDataKeyPair", Bind(J.Default.GenerateDataKeyPairRequest, GenerateDataKeyPairHandler.Validate)),
        ("GenerateDataKeyPairWithoutPlaintext", Bind(J.Default.GenerateDataKeyPairRequest, GenerateDataKeyPairHandler.Validate)),
        ("GetParametersForImport", Bind(J.Default.GetParametersForImportRequest, GetParametersForImportHandler.Validate)),
        ("ImportKeyMaterial", Bind(J.Default.ImportKeyMaterialRequest, ImportKeyMaterialHandler.Validate)),
        ("DeleteImportedKeyMaterial", Bind(J.Default.DeleteImportedKeyMaterialRequest, DeleteImportedKeyMaterialHandler.Validate)),
    ];

    private static Func<RequestContext, ValueTask<KmsError?>> Bind<T>(JsonTypeInfo<T> typeInfo, Validator<T> validate)
        where T : class, new() =>
        KmsEndpoint.Bind(typeInfo, validate, static (_, _) => ValueTask.FromResult<KmsError?>(null));

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

            var context = new RequestContext(null!) { Body = input.AsMemory(1) };
            var (_, bind) = Bindings[input[0] % Bindings.Count];
            var result = bind(context);
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
            var index = Bindings.Select(b => b.Operation).ToList().IndexOf(operation);
            return index < 0 ? throw new InvalidOperationException($"Fuzz/corpus/json/{file} names no operation.") : [(byte)index, .. bytes];
        });

    /// <summary>The body of a json input, with the operation it goes to.</summary>
    public static (string Operation, byte[] Body) DescribeJson(byte[] input) =>
        input.Length == 0 ? ("", input) : (Bindings[input[0] % Bindings.Count].Operation, input[1..]);

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
