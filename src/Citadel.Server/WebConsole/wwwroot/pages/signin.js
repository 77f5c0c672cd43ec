import * as api from "../api.js";
import { errorBox, field, h } from "../dom.js";
import { insecureContextProblem } from "../sigv4.js";

/** Access key id, secret access key (and session token), region. Nothing is stored by the browser. */
export function signInPage(done) {
  const problem = insecureContextProblem();
  const off = { autocomplete: "off", autocapitalize: "off", spellcheck: "false" };
  const accessKeyId = h("input", { name: "accessKeyId", required: true, ...off });
  const secret = h("input", { name: "secretAccessKey", type: "password", required: true, ...off });
  const token = h("input", { name: "sessionToken", type: "password", ...off });
  const region = h("input", { name: "region", value: "us-east-1", required: true, ...off });
  const status = h("div", { "aria-live": "polite" }, problem ? errorBox(problem) : null);
  const button = h("button", { type: "submit", class: "primary", disabled: problem !== null }, "Sign in");

  async function submit(event) {
    event.preventDefault();
    button.disabled = true;
    status.replaceChildren("Signing in…");
    try {
      await api.signIn({
        accessKeyId: accessKeyId.value.trim(),
        secretAccessKey: secret.value,
        sessionToken: token.value.trim() || undefined,
        region: region.value.trim(),
      });
      secret.value = "";
      token.value = "";
      done();
    } catch (error) {
      status.replaceChildren(errorBox(error));
      button.disabled = false;
    }
  }

  return h("section", { class: "signin" },
    h("h1", {}, "Sign in"),
    h("p", {}, "Sign in with an access key. Every request is signed in this browser and is allowed, denied and audited as that principal's; the credentials are held in this tab's memory only."),
    h("form", { onsubmit: submit },
      field("Access key ID", accessKeyId),
      field("Secret access key", secret),
      field("Session token (optional)", token),
      field("Region", region),
      button),
    status);
}
