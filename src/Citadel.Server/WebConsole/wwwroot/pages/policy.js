// Reading key policies in the browser, for explanations and warnings only (the server decides):
// which statements apply to a principal and an action, by AWS's matching of principals and actions.

/** The statements of a policy document (a text), or null when it is not JSON. */
export function statementsOf(text) {
  try {
    const document = JSON.parse(text);
    return Array.isArray(document?.Statement) ? document.Statement : document?.Statement ? [document.Statement] : [];
  } catch {
    return null;
  }
}

/** The ARNs a key policy may name the principal by: itself, and a role session's role. */
export function namesOf(principal) {
  const session = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(principal);
  return session ? [principal, `arn:aws:iam::${session[1]}:role/${session[2]}`] : [principal];
}

export const accountOf = (principal) => principal.split(":")[4];

export const asList = (value) => (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(String);

/** A policy pattern (* and ?) against an action, case-insensitive as IAM matches actions. */
function actionMatches(pattern, action) {
  const expression = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${expression}$`, "i").test(action);
}

/** How a statement's principal names the caller: "named", "everyone", "account" (the account root: its identity policies decide), or null. */
function principalMatch(statement, named, account) {
  const match = (value) => {
    if (value === "*") {
      return "everyone";
    }
    const names = asList(value?.AWS);
    if (names.includes("*")) {
      return "everyone";
    }
    if (names.some((name) => named.includes(name))) {
      return "named";
    }
    if (names.includes(`arn:aws:iam::${account}:root`) || names.includes(account)) {
      return "account";
    }
    return null;
  };
  if (statement.Principal !== undefined) {
    return match(statement.Principal);
  }
  return statement.NotPrincipal !== undefined && match(statement.NotPrincipal) === null ? "everyone" : null;
}

/**
 * The statements that apply to <principal> doing <action>: { statement, name ("Sid" or number n), who }
 * where who says how the statement names the principal (see principalMatch).
 */
export function applying(statements, principal, action) {
  const named = namesOf(principal);
  const account = accountOf(principal);
  return statements.map((statement, index) => {
    const actionApplies = statement.Action !== undefined
      ? asList(statement.Action).some((pattern) => actionMatches(pattern, action))
      : asList(statement.NotAction).every((pattern) => !actionMatches(pattern, action));
    const who = actionApplies ? principalMatch(statement, named, account) : null;
    return { statement, name: statement.Sid ? `"${statement.Sid}"` : `number ${index + 1}`, who };
  }).filter((entry) => entry.who !== null);
}

/**
 * Why a new key policy would keep <principal> from changing the key policy again (AWS's policy lockout
 * safety check, as its console warns before PutKeyPolicy), or null when it would not. Conditions are
 * not evaluated: a statement with conditions counts as applying.
 */
export function lockoutProblem(statements, principal) {
  const found = applying(statements, principal, "kms:PutKeyPolicy");
  const deny = found.find(({ statement }) => statement.Effect === "Deny" && !statement.Condition);
  if (deny) {
    return `Statement ${deny.name} denies kms:PutKeyPolicy to ${principal}.`;
  }
  if (!found.some(({ statement }) => statement.Effect === "Allow")) {
    return `No statement allows kms:PutKeyPolicy to ${principal}, by name or through its account.`;
  }
  return null;
}
