// Sign-in form; with `serve --demo` the server lists the demo logins on <body>.

import { login } from "../api.js";
import { h, mount } from "../dom.js";
import { go } from "../router.js";
import { attempt } from "../ui.js";

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
    const ok = await attempt(async () => {
      await login(username.value.trim(), password.value);
      return true;
    });
    submit.disabled = false;
    if (ok) go("#/");
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
