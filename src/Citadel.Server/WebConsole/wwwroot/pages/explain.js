import { kms } from "../api.js";
import { errorBox, facts, h, time } from "../dom.js";
import { accountOf, applying, namesOf, statementsOf } from "./policy.js";

/**
 * "Why was this denied?" for a failed audit event: what the event says, the key policy's statements
 * that apply to its principal and action, the grants that give the principal the operation, and a
 * plain reading of AWS's evaluation (an explicit Deny wins; otherwise the key policy must allow,
 * naming the principal or delegating to its account's identity policies; a grant allows on its own).
 * Everything is read through the API as the signed-in principal (GetKeyPolicy, ListGrants), so
 * someone who may not read the policy is told so. An explanation from the policy and grants as they
 * are now, not the server's verdict at the time.
 */
export async function explainDenial(record, body) {
  const principal = record.userIdentity?.arn ?? "(unknown principal)";
  const action = `kms:${record.eventName}`;
  const keyArn = record.resources?.[0]?.ARN;
  const named = namesOf(principal);
  body.replaceChildren(
    h("p", { class: "label" }, "An explanation computed in this browser from the key policy and grants as they are now — not the server's verdict at the time of the event."),
    facts([
      ["Principal", principal],
      ["Action", action],
      ["Key", keyArn ?? "— (the request named no key)"],
      ["Error", `${record.errorCode}${record.errorMessage ? ": " + record.errorMessage : ""}`],
      ["Time", record.eventTime ? time(Date.parse(record.eventTime) / 1000) : undefined],
    ]),
    h("p", {}, "Reading the key policy and grants…"));

  const reading = [];
  const because = /because (.*)$|with (an explicit deny in .*)$/.exec(record.errorMessage ?? "");
  if (because) {
    reading.push(h("p", {}, `The server's message says the request failed ${because[1] ? "because " + because[1] : "with " + because[2]}.`));
  }
  if (!keyArn) {
    reading.push(h("p", {}, `The request named no key, so no key policy or grant applies: only ${principal}'s identity (IAM) policies decide ${action}, and none of them allowed it.`));
    body.lastChild.replaceWith(h("div", { class: "reading" }, reading));
    return;
  }

  const [policyText, grants] = await Promise.all([
    kms("GetKeyPolicy", { KeyId: keyArn, PolicyName: "default" }).then((answer) => answer.Policy, (error) => error),
    listGrants(keyArn).catch((error) => error),
  ]);

  if (policyText instanceof Error) {
    reading.push(h("p", {}, "You may not read this key's policy, so the console cannot say which statement applied. Ask someone who may call kms:GetKeyPolicy on the key."), errorBox(policyText));
  } else {
    reading.push(...readPolicy(policyText, principal, action));
  }

  if (grants instanceof Error) {
    reading.push(h("p", {}, "You may not list this key's grants, so the console cannot say whether a grant would have allowed it."), errorBox(grants));
  } else {
    const operation = record.eventName;
    const matching = grants.filter((grant) => named.includes(grant.GranteePrincipal) && (grant.Operations ?? []).includes(operation));
    reading.push(matching.length === 0
      ? h("p", {}, `No grant of the key gives ${principal} the ${operation} operation.`)
      : h("p", {}, `Grant ${matching.map((grant) => grant.GrantId).join(", ")} gives ${principal} the ${operation} operation; a grant allows on its own unless an explicit Deny applies or its constraints (encryption context) did not match the request.`));
  }
  body.lastChild.replaceWith(h("div", { class: "reading" }, reading));
}

async function listGrants(keyArn) {
  const grants = [];
  let marker;
  do {
    const answer = await kms("ListGrants", { KeyId: keyArn, Marker: marker, Limit: 100 });
    grants.push(...(answer.Grants ?? []));
    marker = answer.Truncated ? answer.NextMarker : undefined;
  } while (marker);
  return grants;
}

function readPolicy(text, principal, action) {
  const statements = statementsOf(text);
  if (statements === null) {
    return [h("p", {}, "The key policy is not JSON, so the console cannot read it.")];
  }
  const account = accountOf(principal);
  const found = applying(statements, principal, action);

  const conditions = (statement) => statement.Condition ? ` when its conditions hold (${JSON.stringify(statement.Condition)})` : "";
  const out = [];
  if (found.length > 0) {
    out.push(h("h3", {}, `Statements of the key policy that apply to ${principal} and ${action}`), h("div", { class: "scroll" }, h("table", { class: "explained" },
      h("thead", {}, h("tr", {}, ["Statement", "Effect", "Names the principal as", "Conditions"].map((name) => h("th", { scope: "col" }, name)))),
      h("tbody", {}, found.map(({ statement, name, who }) => h("tr", {},
        h("td", {}, name), h("td", {}, statement.Effect),
        h("td", {}, who === "named" ? "itself" : who === "everyone" ? "everyone" : `its account (arn:aws:iam::${account}:root)`),
        h("td", {}, statement.Condition ? JSON.stringify(statement.Condition) : "—")))))));
  }

  const denies = found.filter(({ statement }) => statement.Effect === "Deny");
  const allows = found.filter(({ statement }) => statement.Effect === "Allow");
  for (const { statement, name } of denies) {
    out.push(h("p", { class: "finding" }, `Statement ${name} denies ${action} to ${principal}${conditions(statement)}. An explicit deny wins over every allow${statement.Condition ? ", so if its conditions held, it is the reason" : ", so it is the reason"}.`));
  }
  for (const { statement, name, who } of allows) {
    out.push(h("p", { class: "finding" }, who === "account"
      ? `Statement ${name} lets the account's identity (IAM) policies decide${conditions(statement)}: ${action} is allowed only if an identity policy of ${principal} allows it on this key. The console does not read identity policies; if none allows it, that is the reason.`
      : `Statement ${name} allows ${action} to ${who === "named" ? principal : "everyone"}${conditions(statement)}.${statement.Condition ? " If the request did not meet the conditions, this statement did not apply." : ""}`));
  }
  if (allows.length === 0) {
    out.push(h("p", { class: "finding" }, `No statement of the key policy allows ${action} to ${principal}, neither by name nor through its account, so without a grant the request is denied (no Allow matched).`));
  }
  return out;
}
