// Who is signed in and what their role lets them do, mirroring the server's rule: a role's
// level follows from its position in the organization's allowed_roles.

import { get } from "./api.js";

const READ_ONLY_MARKERS = ["viewer", "readonly", "read_only", "auditor", "guest", "observer"];

export const session = { me: null, org: null };

export async function loadSession() {
  const [me, orgs] = await Promise.all([get("/users/me/"), get("/organizations/")]);
  session.me = me;
  session.org = orgs.results[0] || null;
  return session;
}

export function resetSession() {
  session.me = null;
  session.org = null;
}

/** "admin" | "manager" | "worker" | "read_only" for a role of the caller's organization. */
export function levelOf(role) {
  const roles = session.org ? session.org.allowed_roles : [];
  const i = roles.indexOf(role);
  const n = roles.length;
  if (i < 0) return "read_only";
  if (i === 0) return "admin";
  if ((n >= 3 && i === n - 1) || (n <= 2 && READ_ONLY_MARKERS.some((m) => role.includes(m)))) return "read_only";
  if (i === 1) return "manager";
  return "worker";
}

const RANK = { read_only: 0, worker: 1, manager: 2, admin: 3 };

/** What the caller's role may do (the endpoint layer; the server checks again). */
export const can = {
  write: () => RANK[levelOf(session.me.role)] >= RANK.worker,
  manage: () => RANK[levelOf(session.me.role)] >= RANK.manager,
  admin: () => levelOf(session.me.role) === "admin",
  /** PATCH /tasks/{id}/: creator, assignee or manager+. */
  editTask: (task) => can.manage() || (can.write() && (task.assigned_to === session.me.id || task.created_by === session.me.id || task.created_by_name === session.me.username)),
  /** Comments: only the author or an admin may edit or delete. */
  editComment: (comment) => can.admin() || comment.author === session.me.id,
};

/** A stable colour class for a role, by its position in the organization's list. */
export function roleClass(role) {
  const i = session.org ? session.org.allowed_roles.indexOf(role) : -1;
  return i < 0 ? "" : `role-${i % 6}`;
}
