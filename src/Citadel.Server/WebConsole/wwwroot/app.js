// The console: a hash router over five pages. Every page reads and changes through api.js only.

import * as api from "./api.js";
import { h } from "./dom.js";
import { auditPage } from "./pages/audit.js";
import { createPage } from "./pages/create.js";
import { keyPage } from "./pages/key.js";
import { keysPage } from "./pages/keys.js";
import { signInPage } from "./pages/signin.js";

const main = document.getElementById("main");

/** Goes to a page; the same hash again reloads it. */
export function go(hash) {
  if (location.hash === hash) {
    route();
  } else {
    location.hash = hash;
  }
}

function route() {
  const nav = document.getElementById("nav");
  const who = document.getElementById("who");
  if (!api.signedIn()) {
    nav.hidden = true;
    who.replaceChildren();
    show(signInPage(() => go("#/keys/customer")));
    return;
  }

  nav.hidden = false;
  who.replaceChildren(
    h("span", { class: "identity" }, `${api.accessKeyId()} · ${api.region()}`),
    h("button", { type: "button", id: "sign-out", onclick: () => { api.signOut(); go("#/"); } }, "Sign out"));
  const [path, query] = location.hash.slice(1).split("?");
  const parts = path.split("/").filter(Boolean);
  const params = new URLSearchParams(query ?? "");
  for (const link of nav.querySelectorAll("a")) {
    if (link.getAttribute("href") === `#/${parts[0]}${parts[1] && parts[0] === "keys" ? "/" + parts[1] : ""}`) {
      link.setAttribute("aria-current", "page");
    } else {
      link.removeAttribute("aria-current");
    }
  }

  switch (parts[0]) {
    case "keys":
      show(keysPage(parts[1] === "aws" ? "AWS" : "CUSTOMER"));
      break;
    case "key":
      show(keyPage(decodeURIComponent(parts[1] ?? "")));
      break;
    case "create":
      show(createPage((keyId) => go(`#/key/${encodeURIComponent(keyId)}`)));
      break;
    case "audit":
      show(auditPage(params));
      break;
    default:
      go("#/keys/customer");
  }
}

function show(page) {
  main.replaceChildren(page);
  // Keyboard and screen-reader users land on the new page's heading.
  const heading = main.querySelector("h1");
  if (heading) {
    heading.tabIndex = -1;
    heading.focus();
  }
}

window.addEventListener("hashchange", route);
route();
