// Sign-in form; with `serve --demo` the server lists the demo logins on <body>.

import { login, loginTwoFactor } from "../api.js";
import { h, mount } from "../dom.js";
import { go } from "../router.js";
import { attempt } from "../components/ui.js";

export async function loginPage(main) {
  const username = h("input", { name: "username", id: "login-username", autocomplete: "username", required: true });
  const password = h("input", { name: "password", id: "login-password", type: "password", autocomplete: "current-password", required: true });
  const submit = h("button", { class: "primary", type: "submit", id: "login-submit" }, "Sign in");
  const form = h("form", { class: "form-grid" },
    h("label", {}, "Username", username),
    h("label", {}, "Password", password),
    submit);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    submit.disabled = true;
    const result = await attempt(() => login(username.value.trim(), password.value));
    submit.disabled = false;
    if (result && result.mfaToken) secondStep(main, result.mfaToken);
    else if (result) go("#/");
  });
  const demoUsers = (document.body.dataset.demoUsers || "").split(",").filter(Boolean);
  const demoPassword = document.body.dataset.demoPassword || "";
  const hint = demoUsers.length
    ? h("div", { class: "demo-hint", id: "demo-hint" },
      h("strong", {}, "Demo organization"),
      h("p", { class: "muted" }, `Every demo account's password is ${demoPassword}. Pick one:`),
      demoUsers.map((name) => h("button", { type: "button", class: "small", onclick: () => { username.value = name; password.value = demoPassword; } }, name)))
    : null;
  mount(main, h("div", { class: "login panel" },
    h("h1", {}, "Sign in to Switchyard"),
    form,
    h("p", {}, h("a", { href: "#/forgot-password", id: "forgot-link" }, "Forgot your password?")),
    hint,
    h("p", { class: "muted" }, "New organization? Create one with POST /api/v1/setup/ — see ", h("a", { href: "/api/docs/" }, "the API docs"), ".")));
  username.focus();
}

/** The second sign-in step, for accounts with two-factor sign-in. */
function secondStep(main, mfaToken) {
  const code = h("input", { name: "code", id: "login-code", inputmode: "numeric", autocomplete: "one-time-code", required: true });
  const submit = h("button", { class: "primary", type: "submit", id: "login-code-submit" }, "Verify");
  const form = h("form", { class: "form-grid" },
    h("label", {}, "Code from your authenticator app", h("span", { class: "hint" }, "or one of your recovery codes"), code),
    submit);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    submit.disabled = true;
    const ok = await attempt(async () => { await loginTwoFactor(mfaToken, code.value.trim()); return true; });
    submit.disabled = false;
    if (ok) go("#/");
  });
  mount(main, h("div", { class: "login panel", id: "two-factor-step" }, h("h1", {}, "Two-factor sign-in"), form));
  code.focus();
}
