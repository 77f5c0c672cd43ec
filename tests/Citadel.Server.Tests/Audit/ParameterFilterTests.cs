using System.Buffers;
using System.Text;
using System.Text.Json;
using Citadel.Server.Audit;
using Citadel.Server.Protocol;

namespace Citadel.Server.Tests.Audit;

/// <summary>
/// requestParameters and responseElements hold only what the model declares for the operation, never a secret: the
/// allow-list of <see cref="AuditMembers"/> (generated from the KMS model) applied by <see cref="ParameterFilter"/>.
/// </summary>
[Trait("Issue", "16")]
public sealed class ParameterFilterTests
{
    [Fact]
    public void Every_audited_operation_has_a_request_and_a_response_allow_list()
    {
        var audited = Operations.Kms.Where(o => o.Service == "kms").Select(o => o.Name);

        Assert.All(audited, name =>
        {
            Assert.NotNull(AuditMembers.Request(name));
            Assert.NotNull(AuditMembers.Response(name));
        });
    }

    [Theory]
    [InlineData("Encrypt", "Plaintext")]
    [InlineData("Encrypt", "GrantTokens")]
    [InlineData("Decrypt", "CiphertextBlob")]
    [InlineData("Sign", "Message")]
    [InlineData("VerifyMac", "Mac")]
    [InlineData("ImportKeyMaterial", "ImportToken")]
    [InlineData("ImportKeyMaterial", "EncryptedKeyMaterial")]
    [InlineData("CreateCustomKeyStore", "KeyStorePassword")]
    [InlineData("CreateCustomKeyStore", "XksProxyAuthenticationCredential")]
    public void A_secret_member_of_the_model_is_not_on_the_request_allow_list(string operation, string member) =>
        Assert.False(AuditMembers.Request(operation)!.Members.ContainsKey(member));

    [Theory]
    [InlineData("GenerateDataKey", "Plaintext")]
    [InlineData("GenerateDataKey", "CiphertextBlob")]
    [InlineData("CreateGrant", "GrantToken")]
    [InlineData("GetParametersForImport", "ImportToken")]
    [InlineData("GenerateDataKeyPair", "PrivateKeyPlaintext")]
    [InlineData("DeriveSharedSecret", "SharedSecret")]
    public void A_secret_member_of_the_model_is_not_on_the_response_allow_list(string operation, string member) =>
        Assert.False(AuditMembers.Response(operation)!.Members.ContainsKey(member));

    [Theory]
    [InlineData("""{"KeyId":"k","plaintext":"c2VjcmV0","PLAINTEXT":"c2VjcmV0","Plaintext":"c2VjcmV0"}""", """{"keyId":"k"}""")]
    [InlineData("""{"KeyId":"k","Password":"s","Extra":{"Nested":["s"]}}""", """{"keyId":"k"}""")]
    [InlineData("""{"KeyId":{"Plaintext":"s"},"EncryptionAlgorithm":["s"]}""", """{"keyId":null,"encryptionAlgorithm":null}""")]
    [InlineData("""{"KeyId":"k","EncryptionContext":{"App":"a","Deep":{"x":"s"},"List":["s"]}}""", """{"keyId":"k","encryptionContext":{"App":"a","Deep":null,"List":null}}""")]
    [InlineData("""{"\u004beyId":"k","\u0050laintext":"s"}""", """{"keyId":"k"}""")]
    [InlineData("""{"plaintext":"s"}""", "null")]
    [InlineData("""[{"KeyId":"k"}]""", "null")]
    [InlineData("null", "null")]
    public void Encrypt_records_only_its_modelled_non_secret_members_with_their_modelled_types(string body, string expected) =>
        Assert.Equal(expected, Filter("Encrypt", body));

    [Fact]
    public void Nested_structures_and_lists_of_structures_keep_only_their_modelled_members()
    {
        var grant = Filter("CreateGrant", """{"KeyId":"k","Operations":["Encrypt",{"x":"s"}],"Constraints":{"EncryptionContextSubset":{"Key":"v"},"Secret":"s"},"GrantTokens":["s"]}""");
        var tags = Filter("TagResource", """{"KeyId":"k","Tags":[{"TagKey":"a","TagValue":"b","Hidden":"s"},"s"]}""");

        Assert.Equal("""{"keyId":"k","operations":["Encrypt",null],"constraints":{"encryptionContextSubset":{"Key":"v"}}}""", grant);
        Assert.Equal("""{"keyId":"k","tags":[{"tagKey":"a","tagValue":"b"},null]}""", tags);
    }

    [Theory]
    [InlineData(
        """{"KeyId":"a+b","EncryptionContext":{"t<x>":"v&w","plain":"ü é"}}""",
        """{"KeyId":"a\u002bb","EncryptionContext":{"t\u003cx\u003e":"v\u0026w","pl\u0061in":"\u00fc \u00E9"}}""",
        """{"keyId":"a\u002Bb","encryptionContext":{"t\u003Cx\u003E":"v\u0026w","plain":"\u00FC \u00E9"}}""")]
    [InlineData(
        """{"KeyId":"quote\"back\\slash","EncryptionContext":{"k":"line\nbreak"}}""",
        """{"KeyId":"quote\u0022back\u005cslash","EncryptionContext":{"\u006b":"line\u000abreak"}}""",
        """{"keyId":"quote\u0022back\\slash","encryptionContext":{"k":"line\nbreak"}}""")]
    public void A_value_is_recorded_alike_whether_the_client_escaped_it_or_not(string unescaped, string escaped, string recorded)
    {
        var plain = Filter("Encrypt", unescaped);

        Assert.Equal(recorded, plain);
        Assert.Equal(recorded, Filter("Encrypt", escaped));
    }

    [Fact]
    public void Filtering_a_warm_request_allocates_nothing()
    {
        var body = Encoding.UTF8.GetBytes("""{"KeyId":"alias/app","Plaintext":"c2VjcmV0","EncryptionContext":{"tenant":"a","purpose":"b"},"Unknown":{"x":[1,2]}}""");
        var tags = Encoding.UTF8.GetBytes("""{"KeyId":"k","Tags":[{"TagKey":"a","TagValue":"b"},{"TagKey":"c","TagValue":"d"}]}""");
        var encrypt = AuditMembers.Request("Encrypt");
        var tagResource = AuditMembers.Request("TagResource");
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        using var json = new Utf8JsonWriter(buffer);
        void Run()
        {
            for (var i = 0; i < 100; i++)
            {
                buffer.ResetWrittenCount();
                json.Reset(buffer);
                json.WriteStartObject();
                ParameterFilter.Write(json, "a"u8, body, encrypt);
                ParameterFilter.Write(json, "b"u8, tags, tagResource);
                json.WriteEndObject();
                json.Flush();
            }
        }

        var allocated = Allocations.OfWarmRun(Run);

        Assert.Equal(0, allocated);
    }

    private static string Filter(string operation, string body)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            ParameterFilter.Write(json, "p"u8, Encoding.UTF8.GetBytes(body), AuditMembers.Request(operation));
            json.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.GetProperty("p").GetRawText();
    }
}
