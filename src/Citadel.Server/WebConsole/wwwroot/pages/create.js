import { kms } from "../api.js";
import { errorBox, field, h, select } from "../dom.js";
import { asymmetricSpecs, hmacSpecs } from "./specs.js";

/** What each kind of key may be: its specs and usages (AWS's CreateKey rules; the server checks them). */
const kinds = {
  symmetric: { label: "Symmetric", specs: ["SYMMETRIC_DEFAULT"], usages: ["ENCRYPT_DECRYPT"] },
  asymmetric: { label: "Asymmetric", specs: asymmetricSpecs, usages: ["ENCRYPT_DECRYPT", "SIGN_VERIFY", "KEY_AGREEMENT"] },
  hmac: { label: "HMAC", specs: hmacSpecs, usages: ["GENERATE_VERIFY_MAC"] },
};

/** Create key: kind, usage, spec, description and an optional alias; then the new key's page. */
export function createPage(created) {
  const status = h("div", { "aria-live": "polite" });
  const spec = h("select", { name: "keySpec" });
  const usage = h("select", { name: "keyUsage" });
  const description = h("input", { name: "description", autocomplete: "off" });
  const alias = h("input", { name: "alias", autocomplete: "off", placeholder: "alias/my-key" });
  let kind = "symmetric";

  function choose(name) {
    kind = name;
    spec.replaceChildren(...select("keySpec", kinds[name].specs).children);
    usage.replaceChildren(...select("keyUsage", kinds[name].usages).children);
  }

  const radios = Object.entries(kinds).map(([name, { label }]) => h("label", { class: "choice" },
    h("input", { type: "radio", name: "kind", value: name, checked: name === kind, onchange: () => choose(name) }), label));

  async function submit(event) {
    event.preventDefault();
    status.replaceChildren("Creating…");
    try {
      const key = (await kms("CreateKey", { KeySpec: spec.value, KeyUsage: usage.value, Description: description.value || undefined })).KeyMetadata;
      const aliasName = alias.value.trim();
      if (aliasName) {
        try {
          await kms("CreateAlias", { AliasName: aliasName.startsWith("alias/") ? aliasName : `alias/${aliasName}`, TargetKeyId: key.KeyId });
        } catch (error) {
          status.replaceChildren(h("p", {}, `Key ${key.KeyId} was created, but not its alias.`), errorBox(error), h("a", { href: `#/key/${encodeURIComponent(key.KeyId)}` }, "Open the key"));
          return;
        }
      }
      created(key.KeyId);
    } catch (error) {
      status.replaceChildren(errorBox(error));
    }
  }

  choose(kind);
  return h("section", {},
    h("h1", {}, "Create key"),
    h("form", { onsubmit: submit },
      h("fieldset", {}, h("legend", {}, "Key type"), radios),
      field("Key usage", usage),
      field("Key spec", spec),
      field("Description", description),
      field("Alias (optional)", alias),
      h("button", { type: "submit", class: "primary" }, "Create key")),
    status,
    h("p", {}, "Keys with imported key material: see docs/import-key-material.md (CreateKey with Origin EXTERNAL, then GetParametersForImport and ImportKeyMaterial)."));
}
