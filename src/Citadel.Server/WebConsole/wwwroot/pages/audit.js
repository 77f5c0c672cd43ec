import { citadel, cloudtrail } from "../api.js";
import { errorBox, field, h, select, time } from "../dom.js";
import { explainDenial } from "./explain.js";

const attributes = [
  ["ResourceName", "Key ARN"],
  ["Username", "Principal (user or role name, or root)"],
  ["EventName", "Operation"],
  ["AccessKeyId", "Access key ID"],
  ["EventId", "Event ID"],
];

/** The audit trail through CloudTrail's LookupEvents: one attribute, a time range, newest first, 50 a page. */
export function auditPage(params) {
  const attribute = select("attribute", attributes, params.get("key") ? "ResourceName" : "EventName");
  const value = h("input", { name: "value", autocomplete: "off", value: params.get("key") ?? "" });
  const start = h("input", { type: "datetime-local", name: "start", step: 1 });
  const end = h("input", { type: "datetime-local", name: "end", step: 1 });
  const status = h("p", { class: "status", "aria-live": "polite" });
  const tbody = h("tbody");
  const more = h("button", { type: "button", hidden: true }, "Load more");
  const explanationBody = h("div");
  const explanationHeading = h("h2", { tabindex: "-1" }, "Why was this denied?");
  const explanation = h("section", { class: "card explanation", hidden: true, "aria-label": "Why was this denied?" }, explanationHeading, explanationBody);
  let nextToken;

  function explain(record) {
    explanation.hidden = false;
    explainDenial(record, explanationBody).catch((error) => explanationBody.replaceChildren(errorBox(error)));
    explanationHeading.focus();
  }

  const row = (event) => eventRow(event, explain);

  const seconds = (input) => input.value ? Date.parse(input.value + "Z") / 1000 : undefined;

  async function search(append) {
    status.replaceChildren("Searching…");
    try {
      const answer = await cloudtrail("LookupEvents", {
        LookupAttributes: value.value.trim() ? [{ AttributeKey: attribute.value, AttributeValue: value.value.trim() }] : undefined,
        StartTime: seconds(start),
        EndTime: seconds(end),
        MaxResults: 50,
        NextToken: append ? nextToken : undefined,
      });
      nextToken = answer.NextToken;
      const rows = answer.Events.map(row);
      if (append) {
        tbody.append(...rows);
      } else {
        tbody.replaceChildren(...rows);
      }
      more.hidden = !nextToken;
      status.replaceChildren(`${tbody.children.length} events${nextToken ? " (more to load)" : ""}.`);
    } catch (error) {
      status.replaceChildren(errorBox(error));
    }
  }

  more.addEventListener("click", () => search(true));
  if (params.get("key")) {
    search(false);
  }

  return h("section", {},
    h("h1", {}, "Audit"),
    chainStatus(),
    h("form", { class: "filters", role: "search", onsubmit: (event) => { event.preventDefault(); search(false); } },
      field("Look up by", attribute),
      field("Value", value),
      field("From (UTC)", start),
      field("To (UTC)", end),
      h("button", { type: "submit", class: "primary" }, "Search")),
    status,
    h("div", { class: "scroll" }, h("table", { class: "events" },
      h("thead", {}, h("tr", {}, ["Time", "Operation", "Principal", "Key", "Error", "Event"].map((name) => h("th", { scope: "col" }, name)))),
      tbody)),
    more,
    explanation);
}

function eventRow(event, explain) {
  let record = {};
  try {
    record = JSON.parse(event.CloudTrailEvent);
  } catch {
    // Shown as it is below.
  }
  const error = record.errorCode ? `${record.errorCode}${record.errorMessage ? ": " + record.errorMessage : ""}` : "—";
  return h("tr", { class: record.errorCode ? "failed" : null },
    h("td", {}, time(event.EventTime)),
    h("td", {}, event.EventName),
    h("td", {}, record.userIdentity?.arn ?? event.Username ?? "—"),
    h("td", {}, (event.Resources ?? []).map((resource) => h("a", { href: `#/key/${encodeURIComponent(resource.ResourceName)}`, title: resource.ResourceName }, resource.ResourceName.split("/").pop()))),
    h("td", {}, error, record.errorCode === "AccessDeniedException"
      ? [" ", h("button", { type: "button", class: "explain", "aria-label": `Why was the ${event.EventName} of ${time(event.EventTime)} denied?`, onclick: () => explain(record) }, "Why was this denied?")]
      : null),
    h("td", {}, h("details", {}, h("summary", {}, "Record"), h("pre", {}, JSON.stringify(record, null, 2)))));
}

/**
 * The audit chain's verification status, as the server's verification job last stored it (Citadel's
 * GetAuditChainStatus, which needs citadel:GetAuditChainStatus): intact, broken with its first broken
 * link, or not verified yet, with when. A principal without the permission sees AWS's denial here.
 */
function chainStatus() {
  const body = h("div", { class: "chain-status", "aria-live": "polite" }, "Reading the chain's status…");
  const again = h("button", { type: "button" }, "Check again");

  async function load() {
    body.replaceChildren("Reading the chain's status…");
    try {
      body.replaceChildren(...chainStatusView(await citadel("GetAuditChainStatus", {})));
    } catch (error) {
      body.replaceChildren(errorBox(error));
    }
  }

  again.addEventListener("click", load);
  load();
  return h("section", { class: "card", "aria-labelledby": "chain-heading" },
    h("h2", { id: "chain-heading" }, "Chain verification"),
    body,
    again);
}

function chainStatusView(answer) {
  if (answer.Status === "NOT_VERIFIED") {
    return [h("p", { class: "chain-state" }, "Not verified yet: the server verifies the chains at start and then at every interval. Check again shortly.")];
  }
  const chains = answer.Chains ?? [];
  const records = chains.reduce((sum, chain) => sum + chain.Records, 0);
  const when = time(answer.VerifiedAt);
  const summary = answer.Status === "INTACT"
    ? h("p", { class: "chain-state intact" }, `Intact: verified ${when}, ${records} records in ${chains.length} chain${chains.length === 1 ? "" : "s"}.`)
    : h("p", { class: "chain-state broken", role: "alert" }, `Broken: verified ${when}. Run \`citadel audit verify\` on the server for the full report.`);
  const details = chains.map((chain) => h("div", { class: "chain" },
    h("p", {}, `Chain ${chain.ChainId}: ${chain.Records} records, ${chain.Intact ? "intact" : "broken"}.`),
    chain.Intact ? null : h("p", { class: "first-problem" }, `First problem: ${chain.FirstProblem}`),
    chain.Problems.length > 1 ? h("ul", { "aria-label": `Problems of chain ${chain.ChainId}` }, chain.Problems.map((problem) => h("li", {}, problem))) : null,
    chain.RecordedGaps.length > 0 ? h("ul", { "aria-label": `Recorded gaps of chain ${chain.ChainId}` }, chain.RecordedGaps.map((gap) => h("li", {}, `Recorded gap: ${gap}`))) : null));
  return [summary, ...details];
}
