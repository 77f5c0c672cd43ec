// Builds elements; text always goes in as text (never innerHTML), so nothing from the server is markup.

/** h("a", { href: "#/x", onclick: f, class: "c" }, "text", child, …) */
export function h(tag, props, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) {
      continue;
    }
    if (name.startsWith("on")) {
      element.addEventListener(name.slice(2), value);
    } else if (name === "value") {
      element.value = value;
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) {
      continue;
    }
    if (Array.isArray(child)) {
      append(element, child);
    } else {
      element.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
}

let ids = 0;

/** A labelled control: <label for=…>text</label> followed by the control. */
export function field(label, control, hint) {
  control.id ||= `f${++ids}`;
  return h("div", { class: "field" }, h("label", { for: control.id }, label), control, hint ? h("small", {}, hint) : null);
}

export function select(name, options, value) {
  return h("select", { name }, options.map((option) => {
    const [optionValue, text] = Array.isArray(option) ? option : [option, option];
    return h("option", { value: optionValue, selected: optionValue === value }, text);
  }));
}

/** A status line for errors: role=alert, so screen readers announce it. */
export const errorBox = (error) => h("p", { class: "error", role: "alert" }, error?.message ?? String(error));

export const time = (epochSeconds) => epochSeconds === undefined || epochSeconds === null
  ? "—"
  : new Date(epochSeconds * 1000).toISOString().replace("T", " ").replace(/\.\d{3}Z$/, " UTC");

/** A description list of [term, value] pairs. */
export const facts = (pairs) => h("dl", { class: "facts" }, pairs.filter(([, value]) => value !== undefined).map(([term, value]) => [h("dt", {}, term), h("dd", {}, value ?? "—")]));

/** Asks before a change, as AWS's console does; resolves true when confirmed. */
export function confirmDialog(title, text, okLabel, extra) {
  const dialog = document.getElementById("confirm");
  document.getElementById("confirm-title").textContent = title;
  document.getElementById("confirm-text").textContent = text;
  document.getElementById("confirm-ok").textContent = okLabel;
  document.getElementById("confirm-extra").replaceChildren(...(extra ? [extra] : []));
  dialog.returnValue = "";
  const ok = document.getElementById("confirm-ok");
  // A checkbox marked data-required must be ticked first (AWS's console asks so before deleting a key).
  const tick = extra?.querySelector?.("input[type=checkbox][data-required]");
  ok.disabled = Boolean(tick);
  if (tick) {
    tick.addEventListener("change", () => { ok.disabled = !tick.checked; });
  }
  ok.onclick = () => dialog.close("ok");
  document.getElementById("confirm-cancel").onclick = () => dialog.close("cancel");
  return new Promise((resolve) => {
    // Escape closes the dialog too, with no return value: a cancel.
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
    dialog.showModal();
  });
}
