using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Citadel.Load;

/// <summary>One operation under load: how many distinct requests it cycles through, and how to build request i.</summary>
internal sealed record Scenario(string Name, int Count, Func<RequestSigner, DateTimeOffset, int, byte[]> Build)
{
    public const string PingName = "Ping";

    public static Scenario Ping() => new(PingName, 1, (signer, _, _) => signer.Ping());

    /// <summary>The operations in the order they run; CreateKey last, since it adds keys.</summary>
    public static IReadOnlyList<Scenario> All(KeySet keys, string policy)
    {
        var plaintext = Convert.ToBase64String(KeySetup.Message);
        var symmetric = keys.Symmetric;
        return
        [
            Kms("Encrypt", symmetric.Length, i => Body(w =>
            {
                w.WriteString("KeyId", symmetric[i]);
                w.WriteString("Plaintext", plaintext);
                Context(w, "EncryptionContext");
            })),
            Kms("Decrypt", keys.Ciphertexts.Length, i => Body(w =>
            {
                w.WriteString("CiphertextBlob", keys.Ciphertexts[i]);
                Context(w, "EncryptionContext");
            })),
            Kms("GenerateDataKey", symmetric.Length, i => Body(w =>
            {
                w.WriteString("KeyId", symmetric[i]);
                w.WriteString("KeySpec", "AES_256");
                Context(w, "EncryptionContext");
            })),
            Kms("ReEncrypt", keys.Ciphertexts.Length, i => Body(w =>
            {
                w.WriteString("CiphertextBlob", keys.Ciphertexts[i]);
                Context(w, "SourceEncryptionContext");
                w.WriteString("DestinationKeyId", symmetric[(i + 1) % symmetric.Length]);
                Context(w, "DestinationEncryptionContext");
            })),
            Kms("GenerateMac", keys.Hmac.Length, i => Body(w =>
            {
                w.WriteString("KeyId", keys.Hmac[i]);
                w.WriteString("Message", plaintext);
                w.WriteString("MacAlgorithm", "HMAC_SHA_256");
            })),
            Kms("Sign", keys.Ecc.Length, i => Body(w =>
            {
                w.WriteString("KeyId", keys.Ecc[i]);
                w.WriteString("Message", plaintext);
                w.WriteString("MessageType", "RAW");
                w.WriteString("SigningAlgorithm", "ECDSA_SHA_256");
            })),
            Kms("Verify", keys.Ecc.Length, i => Body(w =>
            {
                w.WriteString("KeyId", keys.Ecc[i]);
                w.WriteString("Message", plaintext);
                w.WriteString("MessageType", "RAW");
                w.WriteString("Signature", keys.Signatures[i]);
                w.WriteString("SigningAlgorithm", "ECDSA_SHA_256");
            })),
            Kms("DescribeKey", symmetric.Length, i => Body(w => w.WriteString("KeyId", symmetric[i]))),
            Kms("CreateKey", 1, _ => Body(w =>
            {
                w.WriteString("Description", "citadel load benchmark");
                w.WriteString("Policy", policy);
            })),
        ];
    }

    private static Scenario Kms(string operation, int count, Func<int, string> body) =>
        new(operation, count, (signer, now, i) => signer.Sign($"TrentService.{operation}", body(i), now));

    private static void Context(Utf8JsonWriter w, string name)
    {
        w.WriteStartObject(name);
        foreach (var (key, value) in KeySetup.Context)
        {
            w.WriteString(key, value);
        }

        w.WriteEndObject();
    }

    private static string Body(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            write(w);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
