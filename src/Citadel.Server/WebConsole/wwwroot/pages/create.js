import { kms } from "../api.js";
import { errorBox, field, h, select } from "../dom.js";
import { generatedLength, importMaterial } from "./import.js";
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

  // Imported key material (Origin EXTERNAL), for symmetric and HMAC keys: raw bytes that fit RSA-OAEP.
  const external = h("input", { type: "checkbox", name: "external", id: "create-external" });
  const generate = h("input", { type: "radio", name: "materialSource", value: "generate", id: "material-generate", checked: true });
  const fromFile = h("input", { type: "radio", name: "materialSource", value: "file", id: "material-file" });
  const file = h("input", { type: "file", name: "materialFile" });
  const expires = h("input", { type: "datetime-local", name: "validTo", step: 1 });
  const importOptions = h("fieldset", { hidden: true },
    h("legend", {}, "Key material"),
    h("p", {}, "The material is wrapped in this browser (RSA-OAEP with SHA-256, WebCrypto) under the wrapping key GetParametersForImport returns, and only the wrapped form is sent."),
    h("div", { class: "field check" }, generate, h("label", { for: generate.id }, "Generate it in this browser (random bytes)")),
    h("div", { class: "field check" }, fromFile, h("label", { for: fromFile.id }, "Read it from a file (the raw bytes)")),
    field("Key material file", file),
    field("Material expires (UTC, optional)", expires, "Empty: the material does not expire."));
  const importable = () => kind !== "asymmetric";
  external.addEventListener("change", () => { importOptions.hidden = !external.checked; });

  function choose(name) {
    kind = name;
    spec.replaceChildren(...select("keySpec", kinds[name].specs).children);
    usage.replaceChildren(...select("keyUsage", kinds[name].usages).children);
    external.disabled = !importable();
    if (!importable()) {
      external.checked = false;
      importOptions.hidden = true;
    }
  }

  /** The material to import: read before the key is created, so a missing file creates nothing. */
  async function material() {
    if (generate.checked) {
      return crypto.getRandomValues(new Uint8Array(generatedLength(spec.value)));
    }
    if (!file.files?.length) {
      throw new Error("Choose the file that holds the key material, or generate it in this browser.");
    }
    return new Uint8Array(await file.files[0].arrayBuffer());
  }

  const radios = Object.entries(kinds).map(([name, { label }]) => h("label", { class: "choice" },
    h("input", { type: "radio", name: "kind", value: name, checked: name === kind, onchange: () => choose(name) }), label));

  async function submit(event) {
    event.preventDefault();
    status.replaceChildren("Creating…");
    try {
      const imported = external.checked ? await material() : null;
      const validTo = external.checked && expires.value ? Date.parse(expires.value + "Z") / 1000 : undefined;
      const key = (await kms("CreateKey", {
        KeySpec: spec.value, KeyUsage: usage.value, Description: description.value || undefined, Origin: imported ? "EXTERNAL" : undefined,
      })).KeyMetadata;
      if (imported) {
        try {
          await importMaterial(key.KeyId, imported, validTo);
        } catch (error) {
          status.replaceChildren(h("p", {}, `Key ${key.KeyId} was created, but its key material was not imported: it waits in PendingImport.`), errorBox(error), h("a", { href: `#/key/${encodeURIComponent(key.KeyId)}` }, "Open the key"));
          return;
        }
      }
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
      h("div", { class: "field check" }, external, h("label", { for: external.id }, "Import my own key material (symmetric and HMAC keys)")),
      importOptions,
      h("button", { type: "submit", class: "primary" }, "Create key")),
    status,
    h("p", {}, "Asymmetric keys with imported material (a PKCS#8 private key, too long for RSA-OAEP alone): see docs/import-key-material.md."));
}
