// The signed-in person's own profile: email, skills and capacity, password, and the
// organizations they belong to (switch, create another).

import { ApiError, all, del, get, patch, post, storeTokens } from "../api.js";
import { avatar } from "../components/avatar.js";
import { badge, h, mount, progress, splitList } from "../dom.js";
import { loadSession, roleClass, session } from "../session.js";
import { attempt, formDialog } from "../components/ui.js";

export async function profilePage(main) {
  await loadSession();
  const me = session.me;
  const email = h("input", { type: "email", name: "email", value: me.email || "", id: "profile-email" });
  const skills = h("input", { name: "skills", value: me.skills.join(", "), id: "profile-skills" });
  const capacity = h("input", { type: "number", name: "max_concurrent_tasks", min: 1, value: me.max_concurrent_tasks, id: "profile-capacity" });
  const saved = h("span", { class: "muted", id: "profile-saved" });
  const form = h("form", { class: "form-grid", style: "max-width:480px" },
    h("label", {}, "Email", email),
    h("label", {}, "Skills", h("span", { class: "hint" }, "comma-separated; the AI routes matching work to you"), skills),
    h("label", {}, "Capacity (active tasks)", capacity),
    h("div", {}, h("button", { type: "submit", class: "primary" }, "Save profile"), " ", saved));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    saved.textContent = "";
    const body = { email: email.value.trim(), skills: splitList(skills.value), max_concurrent_tasks: Number(capacity.value) };
    if (await attempt(() => patch(`/users/${me.id}/`, body))) {
      await loadSession();
      saved.textContent = "Saved.";
    }
  });
  const current = h("input", { type: "password", name: "current_password", id: "current-password", autocomplete: "current-password", required: true });
  const next = h("input", { type: "password", name: "new_password", id: "new-password", autocomplete: "new-password", required: true });
  const changed = h("span", { class: "muted", id: "password-changed" });
  const passwordForm = h("form", { class: "form-grid", style: "max-width:480px", id: "password-form" },
    h("label", {}, "Current password", current),
    h("label", {}, "New password", h("span", { class: "hint" }, "8+ characters, not common, not like the username"), next),
    h("div", {}, h("button", { type: "submit", class: "primary" }, "Change password"), " ", changed));
  passwordForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    changed.textContent = "";
    const body = await attempt(() => post("/auth/change-password/", { current_password: current.value, new_password: next.value }));
    if (body) {
      storeTokens(body.access, body.refresh);
      current.value = next.value = "";
      changed.textContent = body.message;
    }
  });
  const memberships = await all("/auth/organizations/");
  const orgRows = memberships.map((m) => h("tr", { "data-membership": m.slug },
    h("td", {}, m.name), h("td", {}, badge(m.role, m.current ? roleClass(m.role) : "")),
    h("td", {}, m.current ? h("strong", {}, "current") : m.is_active
      ? h("button", { type: "button", class: "small", onclick: () => attempt(() => switchTo(m.organization)) }, "Switch")
      : h("span", { class: "muted" }, "deactivated"))));
  const picture = h("input", { type: "file", accept: "image/png,image/jpeg,image/webp", id: "avatar-file" });
  picture.addEventListener("change", () => attempt(async () => {
    const file = picture.files[0];
    if (!file) return;
    const form = new FormData();
    form.append("file", file);
    const resp = await fetch("/api/v1/users/me/avatar/", { method: "PUT", body: form, headers: { Authorization: `Bearer ${sessionStorage.getItem("switchyard.access")}` } });
    if (!resp.ok) throw new ApiError(resp.status, await resp.json().catch(() => null));
    location.reload();
  }));
  const removePicture = me.avatar_url ? h("button", { type: "button", class: "small", id: "avatar-remove", onclick: () => attempt(async () => { await del("/users/me/avatar/"); location.reload(); }) }, "Remove picture") : null;
  mount(main,
    h("h1", {}, avatar(me, 48), me.username),
    h("section", { class: "panel" }, h("h2", {}, "Picture"),
      h("p", { class: "muted" }, "PNG, JPEG or WebP up to 2 MB; shown as a 256-pixel square."),
      h("p", {}, picture, " ", removePicture)),
    h("section", { class: "panel" },
      h("dl", { class: "fields" },
        h("dt", {}, "Role"), h("dd", {}, badge(me.role, roleClass(me.role))),
        h("dt", {}, "Organization"), h("dd", {}, session.org ? session.org.name : "—"),
        h("dt", {}, "Workload"), h("dd", {}, progress(me.active_task_count / Math.max(1, me.max_concurrent_tasks)), `${me.active_task_count} of ${me.max_concurrent_tasks} active tasks`),
        h("dt", {}, "Member since"), h("dd", {}, new Date(me.date_joined).toLocaleDateString()))),
    h("section", { class: "panel" }, h("h2", {}, "Edit profile"), form),
    h("section", { class: "panel" }, h("h2", {}, "Password"), passwordForm),
    twoFactorSection(me),
    exportSection(),
    h("section", { class: "panel" }, h("h2", {}, "Your organizations"),
      h("table", { id: "membership-table" }, h("tbody", {}, orgRows)),
      h("p", {}, h("button", { type: "button", class: "small", id: "new-organization", onclick: () => attempt(createOrganization) }, "Create an organization"))));
}

/** Acts in another organization of the caller's from now on. */
export async function switchTo(organization) {
  const pair = await post("/auth/switch-organization/", { organization });
  storeTokens(pair.access, pair.refresh);
  location.hash = "#/";
  location.reload();
}

async function createOrganization() {
  const created = await formDialog({
    title: "Create an organization",
    submitLabel: "Create",
    intro: "You become its admin; it starts with a default workflow.",
    fields: [
      { name: "name", label: "Name", required: true },
      { name: "slug", label: "Short name (slug)", hint: "lower-case letters, digits and hyphens", required: true },
    ],
    onSubmit: (v) => post("/organizations/", { name: v.name.trim(), slug: v.slug.trim() }),
  });
  if (created) await switchTo(created.id);
}

/** Two-factor sign-in: enrol (QR code, confirm, recovery codes shown once) or turn off. */
function twoFactorSection(me) {
  const section = h("section", { class: "panel", id: "two-factor" }, h("h2", {}, "Two-factor sign-in"));
  if (me.two_factor_enabled) {
    section.append(
      h("p", {}, "On: signing in needs a code from your authenticator app."),
      h("button", { type: "button", class: "small danger", id: "two-factor-off", onclick: () => attempt(async () => {
        const done = await formDialog({
          title: "Turn two-factor sign-in off",
          submitLabel: "Turn off",
          fields: [
            { name: "password", label: "Password", type: "password", required: true },
            { name: "code", label: "Code (or a recovery code)", required: true },
          ],
          onSubmit: (v) => post("/auth/2fa/disable/", { password: v.password, code: v.code.trim() }),
        });
        if (done) location.reload();
      }) }, "Turn off"));
    return section;
  }
  const start = h("button", { type: "button", class: "small", id: "two-factor-setup", onclick: () => attempt(async () => {
    const enrol = await post("/auth/2fa/setup/");
    const qr = h("img", { id: "two-factor-qr", alt: "QR code for your authenticator app", width: 200, height: 200,
      src: `data:image/svg+xml;base64,${btoa(enrol.qr_svg)}` });
    const code = h("input", { id: "two-factor-code", inputmode: "numeric", autocomplete: "one-time-code", required: true });
    const form = h("form", { class: "form-grid", style: "max-width:360px" },
      h("label", {}, "Code shown by the app", code),
      h("button", { type: "submit", class: "primary", id: "two-factor-confirm" }, "Turn on"));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const body = await attempt(() => post("/auth/2fa/confirm/", { code: code.value.trim() }));
      if (!body) return;
      // Every other session ended; this one continues with the new pair.
      storeTokens(body.access, body.refresh);
      await loadSession();
      mount(section, h("h2", {}, "Two-factor sign-in is on"),
        h("p", {}, "Keep these recovery codes somewhere safe. Each signs you in once without your device; they are shown only now."),
        h("ul", { class: "recovery-codes", id: "recovery-codes" }, body.recovery_codes.map((c) => h("li", {}, h("code", {}, c)))));
    });
    mount(section, h("h2", {}, "Two-factor sign-in"),
      h("p", {}, "Scan the code with an authenticator app, or type the key in by hand, then enter the six digits it shows."),
      qr, h("p", {}, "Key: ", h("code", { id: "two-factor-secret" }, enrol.secret)), form);
    code.focus();
  }) }, "Turn on two-factor sign-in");
  section.append(h("p", { class: "muted" }, "Off: your password alone signs you in."), start);
  return section;
}

/** "Download my data": asks for an export, waits for the job, then offers the file. */
function exportSection() {
  const status = h("span", { class: "muted", id: "export-status" });
  const button = h("button", { type: "button", class: "small", id: "export-request", onclick: () => attempt(async () => {
    button.disabled = true;
    let job = await post("/users/me/export/");
    status.textContent = "Preparing your archive…";
    for (let i = 0; i < 60 && job.status === "pending"; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      job = await get(`/users/me/export/${job.id}/`);
    }
    button.disabled = false;
    if (job.status !== "ready") {
      status.textContent = "Still being prepared; try again in a minute.";
      return;
    }
    const resp = await fetch(job.download_url, { headers: { Authorization: `Bearer ${sessionStorage.getItem("switchyard.access")}` } });
    if (!resp.ok) throw new ApiError(resp.status, await resp.json().catch(() => null));
    const url = URL.createObjectURL(await resp.blob());
    mount(status, h("a", { href: url, download: `switchyard-personal-data-${job.id}.json`, id: "export-download" }, "Download the archive"),
      ` (available until ${new Date(job.expires_at).toLocaleString()})`);
  }) }, "Export my data");
  return h("section", { class: "panel" }, h("h2", {}, "Your data"),
    h("p", { class: "muted" }, "A JSON archive of your profile, memberships, tasks, comments and the audit entries about you."),
    h("p", {}, button, " ", status));
}
