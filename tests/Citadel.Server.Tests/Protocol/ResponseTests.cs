using System.Buffers;
using System.Text;
using System.Text.Json;
using Citadel.Core.Errors;
using Citadel.Server.Protocol.Responses;

namespace Citadel.Server.Tests.Protocol;

/// <summary>The typed responses the services return: written with AWS's member names, and their secrets wiped once written.</summary>
public sealed class ResponseTests
{
    [Fact]
    public void A_Decrypt_response_writes_the_plaintext_and_then_wipes_it()
    {
        var plaintext = "secret"u8.ToArray();

        var json = Write(new DecryptResponse("arn:aws:kms:us-east-1:111122223333:key/k", plaintext, "SYMMETRIC_DEFAULT", "m1"));

        Assert.Equal("""{"KeyId":"arn:aws:kms:us-east-1:111122223333:key/k","Plaintext":"c2VjcmV0","EncryptionAlgorithm":"SYMMETRIC_DEFAULT","KeyMaterialId":"m1"}""", json);
        Assert.Equal(new byte[6], plaintext);
    }

    [Fact]
    public void A_GenerateDataKeyWithoutPlaintext_response_leaves_the_data_key_out_and_still_wipes_it()
    {
        var dataKey = "0123456789abcdef"u8.ToArray();

        var json = Write(new GenerateDataKeyResponse([1, 2, 3], dataKey, includePlaintext: false, "arn:k", "m1"));

        Assert.Equal("""{"CiphertextBlob":"AQID","KeyId":"arn:k","KeyMaterialId":"m1"}""", json);
        Assert.Equal(new byte[16], dataKey);
    }

    [Fact]
    public void A_GenerateDataKeyPair_response_writes_the_private_key_and_then_wipes_it()
    {
        var privateKey = "private"u8.ToArray();

        var json = Write(new GenerateDataKeyPairResponse([9], privateKey, IncludePlaintext: true, [7], "arn:k", "RSA_2048", "m1"));

        Assert.Equal("""{"PrivateKeyCiphertextBlob":"CQ==","PrivateKeyPlaintext":"cHJpdmF0ZQ==","PublicKey":"Bw==","KeyId":"arn:k","KeyPairSpec":"RSA_2048","KeyMaterialId":"m1"}""", json);
        Assert.Equal(new byte[7], privateKey);
    }

    [Fact]
    public void An_Encrypt_response_writes_only_the_blob_s_length_of_its_pooled_buffer()
    {
        var blob = ArrayPool<byte>.Shared.Rent(64);
        blob.AsSpan().Fill(0xFF);
        blob[0] = 1;
        blob[1] = 2;

        var json = Write(new EncryptResponse(blob, 2, "arn:k", "SYMMETRIC_DEFAULT", pooled: true));

        Assert.Equal("""{"CiphertextBlob":"AQI=","KeyId":"arn:k","EncryptionAlgorithm":"SYMMETRIC_DEFAULT"}""", json);
    }

    [Fact]
    public void An_operation_without_output_members_answers_an_empty_object_or_its_error()
    {
        var refused = new KmsError(KmsErrorCode.NotFound, "Alias arn:aws:kms:us-east-1:111122223333:alias/x is not found.");

        Assert.Equal("", Write(EmptyResponse.Instance));
        Assert.Equal(refused, EmptyResponse.Unless(refused).Error);
        Assert.True(EmptyResponse.Unless(null).IsSuccess);
    }

    private static string Write<T>(T response)
        where T : IResponse
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            response.WriteTo(json);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
