import { kms } from "../api.js";
import { errorBox, field, h, select, time } from "../dom.js";
import { allSpecs, states, usages } from "./specs.js";

const PageSize = 25;

/**
 * "AWS managed keys" or "Customer managed keys". KMS has no query by key manager, so:
 * customer keys page through ListKeys (25 keys a page) with one DescribeKey and one ListAliases per
 * key; AWS managed keys are the targets of the aws/* aliases (ListAliases), paged here.
 * The filters narrow the page that was loaded; only the tag filter sends requests: one ListResourceTags
 * per key of the page, the first time it is used on that page.
 */
export function keysPage(manager) {
  const title = manager === "AWS" ? "AWS managed keys" : "Customer managed keys";
  const stateFilter = select("state", [["", "Any state"], ...states]);
  const specFilter = select("keySpec", [["", "Any key spec"], ...allSpecs]);
  const usageFilter = select("keyUsage", [["", "Any key usage"], ...usages]);
  const aliasFilter = h("input", { type: "search", name: "alias", autocomplete: "off", placeholder: "alias/…" });
  const tagFilter = h("input", { type: "search", name: "tag", autocomplete: "off", placeholder: "key or key=value" });
  const status = h("p", { class: "status", "aria-live": "polite" });
  const tbody = h("tbody");
  const previous = h("button", { type: "button", disabled: true }, "Previous page");
  const next = h("button", { type: "button", disabled: true }, "Next page");
  const markers = [undefined];
  let page = 0;
  let nextMarker;
  let rows = [];
  let failed = false;
  let awsKeys;

  for (const control of [stateFilter, specFilter, usageFilter, aliasFilter, tagFilter]) {
    // Both: a select changed by script or some drivers fires only change; typing fires input at once.
    control.addEventListener("input", render);
    control.addEventListener("change", render);
  }
  previous.addEventListener("click", () => { page--; load(); });
  next.addEventListener("click", () => { page++; load(); });

  async function pageOfKeys() {
    if (manager === "AWS") {
      awsKeys ??= await managedKeys();
      nextMarker = (page + 1) * PageSize < awsKeys.length ? "more" : undefined;
      return awsKeys.slice(page * PageSize, (page + 1) * PageSize);
    }
    const listed = await kms("ListKeys", { Limit: PageSize, Marker: markers[page] });
    nextMarker = listed.Truncated ? listed.NextMarker : undefined;
    markers[page + 1] = nextMarker;
    return listed.Keys.map((key) => ({ keyId: key.KeyId }));
  }

  async function load() {
    status.replaceChildren("Loading…");
    previous.disabled = next.disabled = true;
    try {
      const keys = await pageOfKeys();
      const described = await Promise.all(keys.map(async ({ keyId, aliases }) => {
        try {
          const [description, listed] = await Promise.all([
            kms("DescribeKey", { KeyId: keyId }),
            aliases ? { Aliases: aliases.map((AliasName) => ({ AliasName })) } : kms("ListAliases", { KeyId: keyId }),
          ]);
          return { meta: description.KeyMetadata, aliases: listed.Aliases.map((alias) => alias.AliasName) };
        } catch (error) {
          return { keyId, error };
        }
      }));
      rows = described.filter((row) => row.error || row.meta.KeyManager === manager);
      tagsRead = null;
      failed = false;
      status.replaceChildren(`Page ${page + 1}: ${rows.length} ${title.toLowerCase()}.`);
    } catch (error) {
      rows = [];
      failed = true;
      status.replaceChildren(errorBox(error));
    }
    previous.disabled = page === 0;
    next.disabled = nextMarker === undefined;
    render();
  }

  /** The tags of the page's keys, read once per page when the tag filter is first used. */
  let tagsRead = null;
  function readTags() {
    const loaded = rows;
    tagsRead ??= Promise.all(loaded.filter((row) => !row.error).map(async (row) => {
      try {
        row.tags = (await kms("ListResourceTags", { KeyId: row.meta.KeyId })).Tags ?? [];
      } catch (error) {
        row.tagError = error;
      }
    })).then(() => {
      if (rows === loaded) {
        render();
      }
    });
  }

  /** "key" or "key=value": whether a row's tags match (the key exactly, the value exactly when given). */
  function tagMatches(row, wanted) {
    if (row.tagError) {
      return true;
    }
    const at = wanted.indexOf("=");
    const [key, value] = at < 0 ? [wanted, undefined] : [wanted.slice(0, at), wanted.slice(at + 1)];
    return row.tags.some((tag) => tag.TagKey === key && (value === undefined || tag.TagValue === value));
  }

  function render() {
    const alias = aliasFilter.value.trim().toLowerCase();
    const tag = tagFilter.value.trim();
    if (tag && rows.some((row) => !row.error && !row.tags && !row.tagError)) {
      readTags();
      tbody.replaceChildren(h("tr", {}, h("td", { colspan: 6 }, "Reading the tags of this page's keys…")));
      return;
    }
    const shown = rows.filter((row) => row.error || (
      (!stateFilter.value || row.meta.KeyState === stateFilter.value)
      && (!specFilter.value || row.meta.KeySpec === specFilter.value)
      && (!usageFilter.value || row.meta.KeyUsage === usageFilter.value)
      && (!alias || row.aliases.some((name) => name.toLowerCase().includes(alias)))
      && (!tag || tagMatches(row, tag))));
    tbody.replaceChildren(...shown.map((row) => row.error || row.tagError
      ? h("tr", {}, h("td", {}, "—"), h("td", {}, row.keyId ?? row.meta.KeyId), h("td", { colspan: 4 }, errorBox(row.error ?? row.tagError)))
      : h("tr", {},
        h("td", {}, row.aliases.join(", ") || "—"),
        h("td", {}, h("a", { href: `#/key/${encodeURIComponent(row.meta.KeyId)}` }, row.meta.KeyId)),
        h("td", {}, row.meta.KeyState),
        h("td", {}, row.meta.KeySpec),
        h("td", {}, row.meta.KeyUsage),
        h("td", {}, time(row.meta.CreationDate)))));
    if (shown.length === 0 && !failed) {
      tbody.append(h("tr", {}, h("td", { colspan: 6 }, rows.length ? "No key of this page matches the filters." : "No keys.")));
    }
  }

  load();
  return h("section", {},
    h("h1", {}, title),
    manager === "CUSTOMER" ? h("p", {}, h("a", { href: "#/create", class: "button" }, "Create key")) : null,
    h("div", { class: "filters", role: "search", "aria-label": "Filter keys" },
      field("Key state", stateFilter), field("Key spec", specFilter), field("Key usage", usageFilter), field("Alias", aliasFilter), field("Tag", tagFilter)),
    status,
    h("div", { class: "scroll" }, h("table", {},
      h("caption", { class: "visually-hidden" }, title),
      h("thead", {}, h("tr", {}, ["Aliases", "Key ID", "Status", "Key spec", "Key usage", "Created"].map((name) => h("th", { scope: "col" }, name)))),
      tbody)),
    h("div", { class: "pager" }, previous, next));
}

/** The keys the aws/* aliases name, with those aliases: AWS managed keys (ListAliases pages of 100). */
async function managedKeys() {
  const byKey = new Map();
  let marker;
  do {
    const listed = await kms("ListAliases", { Limit: 100, Marker: marker });
    for (const alias of listed.Aliases) {
      if (alias.AliasName.startsWith("alias/aws/") && alias.TargetKeyId) {
        const names = byKey.get(alias.TargetKeyId) ?? [];
        names.push(alias.AliasName);
        byKey.set(alias.TargetKeyId, names);
      }
    }
    marker = listed.Truncated ? listed.NextMarker : undefined;
  } while (marker);
  return [...byKey].map(([keyId, aliases]) => ({ keyId, aliases }));
}
