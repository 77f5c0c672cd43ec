// The console's only way to the server: KMS and CloudTrail requests to POST /, signed in the
// browser as the signed-in principal, exactly as an SDK sends them. Credentials live in this
// module's memory only (never localStorage, sessionStorage or cookies); signOut() drops them.

import { createSigner } from "./sigv4.js";

const encoder = new TextEncoder();
let signer = null;

/** An AWS error answer: its __type (without namespace), message and HTTP status. */
export class AwsError extends Error {
  constructor(type, message, status) {
    super(message ? `${type}: ${message}` : type);
    this.type = type;
    this.status = status;
  }
}

/** Errors that mean the credentials themselves were not accepted. */
const credentialErrors = new Set(["UnrecognizedClientException", "InvalidSignatureException", "IncompleteSignatureException", "ExpiredTokenException", "InvalidClientTokenId"]);

export const signedIn = () => signer !== null;

export const accessKeyId = () => signer?.accessKeyId;

export const region = () => signer?.region;

/**
 * Signs in: keeps a signer for the credentials once the server accepted them (one ListKeys).
 * A principal that may not list keys is still signed in: its pages show AWS's denial.
 */
export async function signIn(credentials) {
  const candidate = await createSigner(credentials);
  try {
    await send(candidate, "kms", "TrentService.ListKeys", { Limit: 1 });
  } catch (error) {
    if (!(error instanceof AwsError) || credentialErrors.has(error.type) || error.status >= 500) {
      throw error;
    }
  }
  signer = candidate;
  caller = null;
}

export function signOut() {
  signer = null;
  caller = null;
}

let caller = null;

/** The signed-in principal's ARN (STS GetCallerIdentity, asked once per sign-in). */
export function callerArn() {
  const using = signer;
  caller ??= sendQuery(using, "sts", "GetCallerIdentity").then(
    (xml) => xml.querySelector("GetCallerIdentityResult > Arn")?.textContent ?? null,
    (error) => {
      caller = null;
      throw error;
    });
  return caller;
}

export const kms = (operation, request) => send(signer, "kms", `TrentService.${operation}`, request);

export const cloudtrail = (operation, request) =>
  send(signer, "cloudtrail", `com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.${operation}`, request);

/** Citadel's own operations (SigV4 service and IAM namespace "citadel"), such as GetAuditChainStatus. */
export const citadel = (operation, request) => send(signer, "citadel", `Citadel.${operation}`, request);

/** A query-protocol request (form-encoded, XML answer), as STS takes it; resolves to the parsed XML. */
async function sendQuery(using, service, action) {
  if (!using) {
    throw new AwsError("NotSignedIn", "Sign in first.", 0);
  }
  const body = encoder.encode(new URLSearchParams({ Action: action, Version: "2011-06-15" }).toString());
  const headers = await using.sign(service, null, "application/x-www-form-urlencoded; charset=utf-8", body);
  const response = await fetch("/", { method: "POST", headers, body, credentials: "omit", cache: "no-store", redirect: "error" });
  const xml = new DOMParser().parseFromString(await response.text(), "application/xml");
  if (!response.ok) {
    throw new AwsError(xml.querySelector("Error > Code")?.textContent ?? `HTTP${response.status}`, xml.querySelector("Error > Message")?.textContent ?? "", response.status);
  }
  return xml;
}

async function send(using, service, target, request) {
  if (!using) {
    throw new AwsError("NotSignedIn", "Sign in first.", 0);
  }
  const body = encoder.encode(JSON.stringify(request ?? {}));
  const headers = await using.sign(service, target, "application/x-amz-json-1.1", body);
  const response = await fetch("/", { method: "POST", headers, body, credentials: "omit", cache: "no-store", redirect: "error" });
  const text = await response.text();
  let json = {};
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    json = { message: text.trim() };
  }
  if (!response.ok) {
    const type = String(json.__type ?? `HTTP${response.status}`).split("#").pop();
    throw new AwsError(type, json.message ?? json.Message ?? "", response.status);
  }
  return json;
}
