// Forgotten passwords: asking for a link (#/forgot-password) and choosing a new password
// from the emailed link (/reset-password#token=…).

import { request } from "../api.js";
import { h, mount } from "../dom.js";
import { attempt } from "../components/ui.js";
import { linkToken } from "./invitation_accept.js";

export async function forgotPasswordPage(main) {
  document.title = "Forgot password · Switchyard";
  const email = h("input", { type: "email", name: "email", id: "forgot-email", autocomplete: "email", required: true });
  const submit = h("button", { class: "primary", type: "submit", id: "forgot-submit" }, "Email me a link");
  const done = h("p", { class: "muted", id: "forgot-done" });
  const form = h("form", { class: "form-grid" }, h("label", {}, "Email", email), submit);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    submit.disabled = true;
    const body = await attempt(() => request("POST", "/auth/password-reset/", { email: email.value.trim() }));
    submit.disabled = false;
    if (body) done.textContent = body.message;
  });
  mount(main, h("div", { class: "login panel" },
    h("h1", {}, "Reset your password"), form, done,
    h("p", {}, h("a", { href: "#/login" }, "Back to sign in"))));
  email.focus();
}

export async function resetPasswordPage(main) {
  document.title = "Choose a new password · Switchyard";
  const token = linkToken();
  const password = h("input", { type: "password", name: "new_password", id: "reset-password", autocomplete: "new-password", required: true });
  const submit = h("button", { class: "primary", type: "submit", id: "reset-submit" }, "Set the new password");
  const form = h("form", { class: "form-grid" },
    h("label", {}, "New password", h("span", { class: "hint" }, "8+ characters, not common, not like the username"), password),
    submit);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    submit.disabled = true;
    const body = await attempt(() => request("POST", "/auth/password-reset/confirm/", { token, new_password: password.value }));
    submit.disabled = false;
    if (body) {
      mount(main, h("div", { class: "login panel", id: "reset-done" },
        h("h1", {}, "Password changed"), h("p", {}, body.message),
        h("p", {}, h("a", { href: "/#/login" }, "Sign in"))));
    }
  });
  mount(main, h("div", { class: "login panel" }, h("h1", {}, "Choose a new password"), form));
  password.focus();
}
