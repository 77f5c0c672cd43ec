// AWS Signature Version 4 for the console's requests, with WebCrypto's HMAC-SHA256 and SHA-256
// (crypto.subtle); no primitive is written here. The secret access key is imported once as a
// non-extractable HMAC key ("AWS4" + secret) and the string is not kept: scripts can use the key
// to sign but cannot read it back. Reference: AWS "Create a signed AWS API request" (SigV4).

const encoder = new TextEncoder();

const hex = (buffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");

const hmacKey = (raw) => crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);

const hmac = (key, text) => crypto.subtle.sign("HMAC", key, encoder.encode(text));

/** Why this page cannot sign requests, or null when it can. */
export function insecureContextProblem() {
  if (window.isSecureContext && globalThis.crypto?.subtle) {
    return null;
  }
  return "This page is not a secure context, so the browser offers no WebCrypto to sign requests with. "
    + "Open the console over https (tls: in the configuration file), or on localhost / 127.0.0.1.";
}

/**
 * A signer for one set of credentials. sign() returns the headers of a POST / with the given
 * X-Amz-Target (none for the query protocol of STS) and body, for the SigV4 service "kms",
 * "cloudtrail" or "sts".
 */
export async function createSigner({ accessKeyId, secretAccessKey, sessionToken, region }) {
  const root = await hmacKey(encoder.encode("AWS4" + secretAccessKey));
  const signingKeys = new Map();

  async function signingKey(date, service) {
    const id = `${date}/${service}`;
    let key = signingKeys.get(id);
    if (!key) {
      const kDate = await hmac(root, date);
      const kRegion = await hmac(await hmacKey(kDate), region);
      const kService = await hmac(await hmacKey(kRegion), service);
      key = await hmacKey(await hmac(await hmacKey(kService), "aws4_request"));
      if (signingKeys.size > 4) {
        signingKeys.clear();
      }
      signingKeys.set(id, key);
    }
    return key;
  }

  async function sign(service, target, contentType, body) {
    const amzDate = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
    const date = amzDate.slice(0, 8);
    const headers = [
      ["content-type", contentType],
      ["host", location.host],
      ["x-amz-date", amzDate],
      ...(sessionToken ? [["x-amz-security-token", sessionToken]] : []),
      ...(target ? [["x-amz-target", target]] : []),
    ];
    const signedHeaders = headers.map(([name]) => name).join(";");
    const canonicalRequest = [
      "POST",
      "/",
      "",
      headers.map(([name, value]) => `${name}:${value}\n`).join(""),
      signedHeaders,
      hex(await crypto.subtle.digest("SHA-256", body)),
    ].join("\n");
    const scope = `${date}/${region}/${service}/aws4_request`;
    const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, hex(await crypto.subtle.digest("SHA-256", encoder.encode(canonicalRequest)))].join("\n");
    const signature = hex(await hmac(await signingKey(date, service), stringToSign));
    const result = {
      "Content-Type": contentType,
      "X-Amz-Date": amzDate,
      Authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    };
    if (target) {
      result["X-Amz-Target"] = target;
    }
    if (sessionToken) {
      result["X-Amz-Security-Token"] = sessionToken;
    }
    return result;
  }

  return { accessKeyId, region, sign };
}
