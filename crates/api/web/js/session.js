// Who is signed in and what the server says their role lets them do.

import { get } from "./api.js";

export const session = { me: null, org: null, memberships: [] };

export async function loadSession() {
  const [me, orgs, memberships] = await Promise.all([
    get("/users/me/"),
    // 403 when the organization requires two-factor sign-in the account has not turned on.
    get("/organizations/").catch((e) => {
      if (e.status === 403 && /two-factor/.test(e.message)) return { results: [], blocked: e.message };
      if (e.status === 403 && /not a member/.test(e.message)) return { results: [], none: true };
      throw e;
    }),
    get("/auth/organizations/?page_size=100"),
  ]);
  session.me = me;
  session.org = orgs.results[0] || null;
  session.blocked = orgs.blocked || null;
  session.noOrganization = Boolean(orgs.none);
  session.memberships = memberships.results;
  return session;
}

export function resetSession() {
  session.me = null;
  session.org = null;
  session.memberships = [];
}

/**
 * What the caller's role may do, as the server computed it (GET /users/me/ → permissions).
 * The dashboard never re-derives a rule: per-object rights come with the object (`task.can`,
 * `comment.can`), and the server checks again on every request.
 */
export function may(permission) {
  const p = session.me && session.me.permissions;
  return Boolean(p && p[permission]);
}

/** Roles the caller may give to a member (the server's list). */
export function assignableRoles() {
  const p = session.me && session.me.permissions;
  return p ? p.assignable_roles : [];
}

/** A stable colour class for a role, by its position in the organization's list. */
export function roleClass(role) {
  const i = session.org ? session.org.allowed_roles.indexOf(role) : -1;
  return i < 0 ? "" : `role-${i % 6}`;
}
