import { kms } from "../api.js";

/** Bytes of generated material per key spec: 256 bits for a symmetric key, the digest's size for HMAC (AWS's minimum). */
export const generatedLength = (keySpec) => keySpec === "SYMMETRIC_DEFAULT" ? 32 : Number(keySpec.slice(5)) / 8;

const base64 = (bytes) => btoa(Array.from(new Uint8Array(bytes), (b) => String.fromCharCode(b)).join(""));
const unbase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/**
 * Imports key material into a key with Origin EXTERNAL, as docs/import-key-material.md does with
 * openssl: GetParametersForImport (RSAES_OAEP_SHA_256 to an RSA_4096 wrapping key), wrap the material
 * with WebCrypto's RSA-OAEP under the returned public key, ImportKeyMaterial. The material is wiped
 * from this page's memory once wrapped (the caller's array included); only the wrapped form is sent.
 */
export async function importMaterial(keyId, material, validTo) {
  try {
    const parameters = await kms("GetParametersForImport", { KeyId: keyId, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_4096" });
    const wrappingKey = await crypto.subtle.importKey("spki", unbase64(parameters.PublicKey), { name: "RSA-OAEP", hash: "SHA-256" }, false, ["encrypt"]);
    const wrapped = await crypto.subtle.encrypt({ name: "RSA-OAEP" }, wrappingKey, material);
    material.fill(0);
    await kms("ImportKeyMaterial", {
      KeyId: keyId,
      ImportToken: parameters.ImportToken,
      EncryptedKeyMaterial: base64(wrapped),
      ExpirationModel: validTo ? "KEY_MATERIAL_EXPIRES" : "KEY_MATERIAL_DOES_NOT_EXPIRE",
      ValidTo: validTo,
    });
  } finally {
    material.fill(0);
  }
}
