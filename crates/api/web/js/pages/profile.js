// The signed-in person's own profile: email, skills and capacity.

import { patch } from "../api.js";
import { badge, h, mount, progress, splitList } from "../dom.js";
import { loadSession, roleClass, session } from "../session.js";
import { attempt } from "../ui.js";

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
  mount(main,
    h("h1", {}, me.username),
    h("section", { class: "panel" },
      h("dl", { class: "fields" },
        h("dt", {}, "Role"), h("dd", {}, badge(me.role, roleClass(me.role))),
        h("dt", {}, "Organization"), h("dd", {}, session.org ? session.org.name : "—"),
        h("dt", {}, "Workload"), h("dd", {}, progress(me.active_task_count / Math.max(1, me.max_concurrent_tasks)), `${me.active_task_count} of ${me.max_concurrent_tasks} active tasks`),
        h("dt", {}, "Member since"), h("dd", {}, new Date(me.date_joined).toLocaleDateString()))),
    h("section", { class: "panel" }, h("h2", {}, "Edit profile"), form));
}
