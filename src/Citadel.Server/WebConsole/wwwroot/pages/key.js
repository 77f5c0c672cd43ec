import { callerArn, kms } from "../api.js";
import { confirmDialog, errorBox, facts, field, h, select, time } from "../dom.js";
import { lockoutProblem, statementsOf } from "./policy.js";
import { usageSection } from "./usage.js";

/**
 * A key's page: general and cryptographic configuration, key policy, aliases, tags, grants,
 * rotation, and the changes AWS's console offers, each asked for again where AWS's console asks.
 * Each section loads on its own, so a principal that may describe the key but not read its policy
 * sees the key and AWS's denial in the policy section. AWS managed keys offer no change: the server
 * refuses them as AWS does.
 */
export function keyPage(keyId) {
  const root = h("section", { class: "key" });
  const notice = h("div", { class: "notice", "aria-live": "polite" });

  async function refresh(message) {
    let meta;
    try {
      meta = (await kms("DescribeKey", { KeyId: keyId })).KeyMetadata;
    } catch (error) {
      root.replaceChildren(h("h1", {}, keyId), errorBox(error));
      return;
    }
    notice.replaceChildren(...(message ? [h("p", { class: "ok" }, message)] : []));
    const customer = meta.KeyManager === "CUSTOMER";
    const page = { meta, customer, act };
    root.replaceChildren(
      h("p", {}, h("a", { href: customer ? "#/keys/customer" : "#/keys/aws" }, customer ? "Customer managed keys" : "AWS managed keys")),
      h("h1", {}, meta.Description ? `${meta.KeyId} — ${meta.Description}` : meta.KeyId),
      notice,
      general(page),
      cryptographic(meta),
      section("Aliases", (body) => aliases(page, body)),
      section("Tags", (body) => tags(page, body)),
      meta.KeySpec === "SYMMETRIC_DEFAULT" ? section("Key rotation", (body) => rotation(page, body)) : null,
      section("Key policy", (body) => policy(page, body)),
      section("Grants", (body) => grants(page, body)),
      section("Usage: requests per day", (body) => usageSection(meta.Arn, body)),
      h("p", {}, h("a", { href: `#/audit?key=${encodeURIComponent(meta.Arn)}` }, "Audit events of this key")));
  }

  /** Runs one change (after a confirmation, when asked), then shows the key anew with a message. */
  async function act(change, done, confirmation) {
    if (confirmation && !(await confirmDialog(...confirmation))) {
      return;
    }
    notice.replaceChildren("Working…");
    try {
      await change();
      await refresh(done);
    } catch (error) {
      notice.replaceChildren(errorBox(error));
    }
  }

  refresh();
  return root;
}

/** A section whose body fills in when its requests answer; a denial shows there and nowhere else. */
function section(title, fill) {
  const body = h("div", {}, "Loading…");
  Promise.resolve(fill(body)).catch((error) => body.replaceChildren(errorBox(error)));
  return h("section", { class: "card" }, h("h2", {}, title), body);
}

function general({ meta, customer, act }) {
  const buttons = [];
  if (customer) {
    if (meta.KeyState === "Enabled") {
      buttons.push(h("button", {
        type: "button",
        onclick: () => act(() => kms("DisableKey", { KeyId: meta.KeyId }), "Key disabled.",
          ["Disable key?", "A disabled key cannot be used in cryptographic operations until it is enabled again.", "Disable key"]),
      }, "Disable key"));
    } else if (meta.KeyState === "Disabled") {
      buttons.push(h("button", { type: "button", onclick: () => act(() => kms("EnableKey", { KeyId: meta.KeyId }), "Key enabled.") }, "Enable key"));
    }

    if (meta.KeyState === "PendingDeletion") {
      buttons.push(h("button", {
        type: "button",
        onclick: () => act(() => kms("CancelKeyDeletion", { KeyId: meta.KeyId }), "Key deletion canceled. The key is disabled; enable it to use it again."),
      }, "Cancel key deletion"));
    } else if (meta.KeyState !== "PendingReplicaDeletion") {
      buttons.push(h("button", { type: "button", class: "danger", onclick: () => scheduleDeletion(meta, act) }, "Schedule key deletion"));
    }
  }

  return h("section", { class: "card" },
    h("h2", {}, "General configuration"),
    facts([
      ["ARN", meta.Arn],
      ["Key ID", meta.KeyId],
      ["Description", meta.Description || "—"],
      ["Status", meta.KeyState],
      ["Deletion date", meta.DeletionDate ? time(meta.DeletionDate) : undefined],
      ["Created", time(meta.CreationDate)],
      ["Key manager", meta.KeyManager],
      ["Origin", meta.Origin],
      ["Multi-Region", meta.MultiRegion ? "Yes" : "No"],
    ]),
    h("div", { class: "buttons" }, buttons));
}

async function scheduleDeletion(meta, act) {
  const days = h("input", { type: "number", min: 7, max: 30, value: "30", name: "pendingWindowInDays", required: true });
  await act(
    () => kms("ScheduleKeyDeletion", { KeyId: meta.KeyId, PendingWindowInDays: Number(days.value) }),
    "Key deletion scheduled.",
    ["Schedule key deletion?", `After the waiting period the key ${meta.KeyId} and all its key material are deleted, and data encrypted under it can no longer be decrypted. Until then the key cannot be used, and the deletion can be canceled.`,
      "Schedule deletion", h("div", {},
        field("Waiting period (7–30 days)", days),
        h("div", { class: "field check" },
          h("input", { type: "checkbox", id: "confirm-deletion", "data-required": true }),
          h("label", { for: "confirm-deletion" }, "Confirm you want to schedule this key for deletion")))]);
}

function cryptographic(meta) {
  const algorithms = meta.EncryptionAlgorithms ?? meta.SigningAlgorithms ?? meta.MacAlgorithms ?? meta.KeyAgreementAlgorithms ?? [];
  return h("section", { class: "card" },
    h("h2", {}, "Cryptographic configuration"),
    facts([
      ["Key spec", meta.KeySpec],
      ["Key usage", meta.KeyUsage],
      ["Algorithms", algorithms.join(", ") || "—"],
    ]));
}

async function aliases({ meta, customer, act }, body) {
  const listed = (await kms("ListAliases", { KeyId: meta.KeyId })).Aliases;
  const name = h("input", { name: "aliasName", autocomplete: "off", placeholder: "alias/my-key", required: true });
  body.replaceChildren(
    listed.length === 0 ? h("p", {}, "No aliases.") : h("ul", { class: "plain" }, listed.map((alias) => h("li", {},
      alias.AliasName,
      customer ? h("button", {
        type: "button",
        "aria-label": `Delete alias ${alias.AliasName}`,
        onclick: () => act(() => kms("DeleteAlias", { AliasName: alias.AliasName }), `Alias ${alias.AliasName} deleted.`,
          ["Delete alias?", `Programs that name the key by ${alias.AliasName} will fail.`, "Delete alias"]),
      }, "Delete") : null))),
    customer ? h("form", {
      class: "inline",
      onsubmit: (event) => {
        event.preventDefault();
        const aliasName = name.value.trim().startsWith("alias/") ? name.value.trim() : `alias/${name.value.trim()}`;
        act(() => kms("CreateAlias", { AliasName: aliasName, TargetKeyId: meta.KeyId }), `Alias ${aliasName} added.`);
      },
    }, field("New alias", name), h("button", { type: "submit" }, "Add alias")) : null);
}

async function tags({ meta, customer, act }, body) {
  const listed = (await kms("ListResourceTags", { KeyId: meta.KeyId })).Tags ?? [];
  const key = h("input", { name: "tagKey", autocomplete: "off", required: true });
  const value = h("input", { name: "tagValue", autocomplete: "off" });
  body.replaceChildren(
    listed.length === 0 ? h("p", {}, "No tags.") : h("div", { class: "scroll" }, h("table", {},
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Tag key"), h("th", { scope: "col" }, "Tag value"), customer ? h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Actions")) : null)),
      h("tbody", {}, listed.map((tag) => h("tr", {},
        h("td", {}, tag.TagKey), h("td", {}, tag.TagValue),
        customer ? h("td", {}, h("button", {
          type: "button",
          "aria-label": `Remove tag ${tag.TagKey}`,
          onclick: () => act(() => kms("UntagResource", { KeyId: meta.KeyId, TagKeys: [tag.TagKey] }), `Tag ${tag.TagKey} removed.`),
        }, "Remove")) : null))))),
    customer ? h("form", {
      class: "inline",
      onsubmit: (event) => {
        event.preventDefault();
        act(() => kms("TagResource", { KeyId: meta.KeyId, Tags: [{ TagKey: key.value, TagValue: value.value }] }), `Tag ${key.value} saved.`);
      },
    }, field("Tag key", key), field("Tag value", value), h("button", { type: "submit" }, "Add tag")) : null);
}

async function rotation({ meta, customer, act }, body) {
  const [status, history] = await Promise.all([
    kms("GetKeyRotationStatus", { KeyId: meta.KeyId }),
    kms("ListKeyRotations", { KeyId: meta.KeyId }),
  ]);
  const automatic = h("input", { type: "checkbox", name: "rotationEnabled", checked: status.KeyRotationEnabled });
  const period = h("input", { type: "number", name: "rotationPeriodInDays", min: 90, max: 2560, value: String(status.RotationPeriodInDays ?? 365) });
  const controls = customer && meta.Origin === "AWS_KMS" ? [
    h("form", {
      class: "inline",
      onsubmit: (event) => {
        event.preventDefault();
        act(
          () => automatic.checked
            ? kms("EnableKeyRotation", { KeyId: meta.KeyId, RotationPeriodInDays: Number(period.value) })
            : kms("DisableKeyRotation", { KeyId: meta.KeyId }),
          automatic.checked ? "Automatic rotation enabled." : "Automatic rotation disabled.");
      },
    },
    h("div", { class: "field check" }, automatic, h("label", { for: (automatic.id = "rotation-enabled") }, "Rotate automatically")),
    field("Rotation period (90–2560 days)", period),
    h("button", { type: "submit" }, "Save rotation settings")),
    h("button", {
      type: "button",
      onclick: () => act(() => kms("RotateKeyOnDemand", { KeyId: meta.KeyId }), "On-demand rotation started.",
        ["Rotate key now?", "New key material is created and used for encryption from now on; earlier material stays for decryption.", "Rotate now"]),
    }, "Rotate now"),
  ] : [];
  const rotations = history.Rotations ?? [];
  body.replaceChildren(
    facts([
      ["Automatic rotation", status.KeyRotationEnabled ? "Enabled" : "Disabled"],
      ["Rotation period", status.RotationPeriodInDays ? `${status.RotationPeriodInDays} days` : "—"],
      ["Next rotation", status.NextRotationDate ? time(status.NextRotationDate) : "—"],
      ["On-demand rotation in progress since", status.OnDemandRotationStartDate ? time(status.OnDemandRotationStartDate) : undefined],
    ]),
    ...controls,
    h("h3", {}, "Rotation history"),
    rotations.length === 0 ? h("p", {}, "The key has not been rotated.") : h("table", { class: "rotations" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Rotation date"), h("th", { scope: "col" }, "Type"))),
      h("tbody", {}, rotations.map((r) => h("tr", {}, h("td", {}, time(r.RotationDate)), h("td", {}, r.RotationType))))));
}

async function policy({ meta, customer, act }, body) {
  const text = (await kms("GetKeyPolicy", { KeyId: meta.KeyId, PolicyName: "default" })).Policy;
  const pretty = prettyJson(text);
  const editor = h("textarea", { name: "policy", rows: 18, spellcheck: "false", value: pretty });
  const problem = h("div", { "aria-live": "polite" });

  function edit() {
    body.replaceChildren(
      field("Key policy (JSON)", editor, "Before saving, the console warns when the new policy would not let you change the key policy again; the server refuses such a policy too (the lockout safety check)."),
      problem,
      h("div", { class: "buttons" },
        h("button", { type: "button", onclick: () => view() }, "Cancel"),
        h("button", { type: "button", class: "primary", onclick: save }, "Save policy")));
    editor.focus();
  }

  async function save() {
    const invalid = policyProblem(editor.value);
    if (invalid) {
      problem.replaceChildren(errorBox(invalid));
      editor.setAttribute("aria-invalid", "true");
      return;
    }
    editor.removeAttribute("aria-invalid");
    // The lockout check as AWS's console makes it: warn before sending a policy that would not let the
    // signed-in principal call PutKeyPolicy again. The server checks too (BypassPolicyLockoutSafetyCheck false).
    const caller = await callerArn().catch(() => null);
    const lockout = caller ? lockoutProblem(statementsOf(editor.value), caller) : null;
    if (lockout && !(await confirmDialog(
      "This policy may lock you out of the key",
      `${lockout} Once it is saved, you (${caller}) may not be able to change the key policy again. The server refuses a policy that would lock you out unless its lockout safety check is bypassed, which the console never does.`,
      "Save anyway"))) {
      problem.replaceChildren(h("p", { class: "error", role: "alert" }, `Not saved: ${lockout}`));
      return;
    }
    problem.replaceChildren();
    await act(() => kms("PutKeyPolicy", { KeyId: meta.KeyId, PolicyName: "default", Policy: editor.value, BypassPolicyLockoutSafetyCheck: false }), "Key policy saved.");
  }

  function view() {
    body.replaceChildren(
      h("h3", {}, "Who may use and administer this key"),
      summary(text),
      h("details", {}, h("summary", {}, "Policy document"), h("pre", { class: "policy" }, pretty)),
      customer ? h("button", { type: "button", onclick: edit }, "Edit policy") : null);
  }

  view();
}

/** Why a key policy text is not a policy document, or null: checked before PutKeyPolicy is sent. */
export function policyProblem(text) {
  let document;
  try {
    document = JSON.parse(text);
  } catch (error) {
    return `The policy is not valid JSON: ${error.message}`;
  }
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    return "The policy must be a JSON object with a Statement.";
  }
  const statements = Array.isArray(document.Statement) ? document.Statement : document.Statement ? [document.Statement] : [];
  if (statements.length === 0) {
    return "The policy has no Statement.";
  }
  for (const [index, statement] of statements.entries()) {
    if (statement?.Effect !== "Allow" && statement?.Effect !== "Deny") {
      return `Statement ${index + 1}: Effect must be "Allow" or "Deny".`;
    }
    if (!statement.Principal && !statement.NotPrincipal) {
      return `Statement ${index + 1}: a key policy statement needs a Principal.`;
    }
    if (!statement.Action && !statement.NotAction) {
      return `Statement ${index + 1}: Action is missing.`;
    }
  }
  return null;
}

function prettyJson(text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** The policy's statements as effect, principals and actions: the default view. */
function summary(text) {
  let statements;
  try {
    const document = JSON.parse(text);
    statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  } catch {
    return h("p", {}, "The policy is not JSON; see the document.");
  }
  const list = (value) => (Array.isArray(value) ? value : [value]).map(String).join(", ");
  const principals = (value) => value === "*" ? "everyone (*)" : Object.entries(value ?? {}).map(([kind, names]) => `${kind}: ${list(names)}`).join("; ");
  return h("div", { class: "scroll" }, h("table", {},
    h("thead", {}, h("tr", {}, ["Statement", "Effect", "Principals", "Actions", "Conditions"].map((name) => h("th", { scope: "col" }, name)))),
    h("tbody", {}, statements.map((statement, index) => h("tr", {},
      h("td", {}, statement.Sid ?? String(index + 1)),
      h("td", {}, statement.Effect),
      h("td", {}, statement.Principal ? principals(statement.Principal) : `all but ${principals(statement.NotPrincipal)}`),
      h("td", {}, statement.Action ? list(statement.Action) : `all but ${list(statement.NotAction)}`),
      h("td", {}, statement.Condition ? "yes" : "—"))))));
}

/** The grant operations that fit a key (AWS's GrantOperation values by key usage and spec). */
function grantOperations(meta) {
  const common = ["DescribeKey", "CreateGrant", "RetireGrant"];
  switch (meta.KeyUsage) {
    case "ENCRYPT_DECRYPT":
      return meta.KeySpec === "SYMMETRIC_DEFAULT"
        ? ["Encrypt", "Decrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext", "ReEncryptFrom", "ReEncryptTo", ...common]
        : ["Encrypt", "Decrypt", "ReEncryptFrom", "ReEncryptTo", "GetPublicKey", ...common];
    case "SIGN_VERIFY":
      return ["Sign", "Verify", "GetPublicKey", ...common];
    case "GENERATE_VERIFY_MAC":
      return ["GenerateMac", "VerifyMac", ...common];
    default:
      return ["DeriveSharedSecret", "GetPublicKey", ...common];
  }
}

const constraintText = (constraints) => {
  const context = (map) => Object.entries(map).map(([key, value]) => `${key}=${value}`).join(", ");
  return constraints?.EncryptionContextEquals ? `context equals ${context(constraints.EncryptionContextEquals)}`
    : constraints?.EncryptionContextSubset ? `context includes ${context(constraints.EncryptionContextSubset)}`
      : "—";
};

/** "key=value" lines as an encryption context, or a string saying which line is not one. */
function parseContext(text) {
  const context = {};
  for (const [index, line] of text.split("\n").entries()) {
    if (!line.trim()) {
      continue;
    }
    const at = line.indexOf("=");
    if (at <= 0) {
      return `Line ${index + 1} of the encryption context is not key=value.`;
    }
    context[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return context;
}

async function grants({ meta, customer, act }, body) {
  const listed = (await kms("ListGrants", { KeyId: meta.KeyId })).Grants ?? [];
  const label = (grant) => grant.Name || grant.GrantId;
  const table = listed.length === 0 ? h("p", {}, "No grants.") : h("div", { class: "scroll" }, h("table", { class: "grants" },
    h("thead", {}, h("tr", {}, ["Grant ID", "Name", "Grantee", "Retiring principal", "Operations", "Constraints", customer ? "Actions" : null].filter(Boolean).map((name) => h("th", { scope: "col" }, name)))),
    h("tbody", {}, listed.map((grant) => h("tr", {},
      h("td", {}, grant.GrantId), h("td", {}, grant.Name || "—"), h("td", {}, grant.GranteePrincipal), h("td", {}, grant.RetiringPrincipal ?? "—"),
      h("td", {}, (grant.Operations ?? []).join(", ")), h("td", {}, constraintText(grant.Constraints)),
      customer ? h("td", {}, h("div", { class: "buttons" },
        h("button", {
          type: "button",
          "aria-label": `Retire grant ${label(grant)}`,
          onclick: () => act(() => kms("RetireGrant", { KeyId: meta.Arn, GrantId: grant.GrantId }), `Grant ${label(grant)} retired.`,
            ["Retire grant?", `The grant ${label(grant)} stops allowing ${grant.GranteePrincipal} anything. Retiring is for the grant's retiring principal, its grantee (with RetireGrant) or the account.`, "Retire grant"]),
        }, "Retire"),
        h("button", {
          type: "button",
          class: "danger",
          "aria-label": `Revoke grant ${label(grant)}`,
          onclick: () => act(() => kms("RevokeGrant", { KeyId: meta.KeyId, GrantId: grant.GrantId }), `Grant ${label(grant)} revoked.`,
            ["Revoke grant?", `The grant ${label(grant)} stops allowing ${grant.GranteePrincipal} anything. Revoking needs kms:RevokeGrant on the key.`, "Revoke grant"]),
        }, "Revoke"))) : null)))));
  if (!customer) {
    body.replaceChildren(table);
    return;
  }

  const grantee = h("input", { name: "granteePrincipal", autocomplete: "off", required: true, placeholder: "arn:aws:iam::111122223333:role/app" });
  const operations = grantOperations(meta).map((operation) => h("input", { type: "checkbox", name: "grantOperation", value: operation, id: `grant-op-${operation}` }));
  const retiring = h("input", { name: "retiringPrincipal", autocomplete: "off" });
  const constraint = select("grantConstraint", [["", "None"], ["EncryptionContextEquals", "Encryption context equals"], ["EncryptionContextSubset", "Encryption context includes (subset)"]]);
  const context = h("textarea", { name: "grantContext", rows: 3, spellcheck: "false", placeholder: "app=payments" });
  const name = h("input", { name: "grantName", autocomplete: "off" });
  const problem = h("div", { "aria-live": "polite" });

  function create(event) {
    event.preventDefault();
    const chosen = operations.filter((box) => box.checked).map((box) => box.value);
    const parsed = constraint.value ? parseContext(context.value) : null;
    const complaint = chosen.length === 0 ? "Choose at least one operation."
      : typeof parsed === "string" ? parsed
        : parsed && Object.keys(parsed).length === 0 ? "Give the encryption context of the constraint, key=value, one a line." : null;
    if (complaint) {
      problem.replaceChildren(errorBox(complaint));
      return;
    }
    problem.replaceChildren();
    act(() => kms("CreateGrant", {
      KeyId: meta.KeyId,
      GranteePrincipal: grantee.value.trim(),
      Operations: chosen,
      RetiringPrincipal: retiring.value.trim() || undefined,
      Constraints: parsed ? { [constraint.value]: parsed } : undefined,
      Name: name.value.trim() || undefined,
    }), "Grant created.");
  }

  body.replaceChildren(table, h("form", { class: "grant", onsubmit: create },
    h("h3", {}, "Create grant"),
    field("Grantee principal", grantee),
    h("fieldset", {}, h("legend", {}, "Operations"), operations.map((box) => h("span", { class: "choice" }, box, h("label", { for: box.id }, box.value)))),
    field("Retiring principal (optional)", retiring),
    field("Constraint", constraint),
    field("Encryption context of the constraint (key=value, one a line)", context),
    field("Grant name (optional)", name),
    problem,
    h("button", { type: "submit" }, "Create grant")));
}
