// The page an invitation email links to (/accept-invitation#token=…): what the invitation
// is for, then a new account — or, signed in as the invited address, one click to join.

import { ApiError, get, hasSession, request, storeTokens } from "../api.js";
import { h, mount } from "../dom.js";
import { attempt } from "../components/ui.js";

/** The token in the link's fragment (never sent to the server in a URL). */
export function linkToken() {
  return new URLSearchParams(location.hash.replace(/^#/, "")).get("token") || "";
}

export async function acceptInvitationPage(main) {
  document.title = "Accept invitation · Switchyard";
  const token = linkToken();
  let invitation;
  try {
    invitation = await get(`/invitations/lookup/?token=${encodeURIComponent(token)}`);
  } catch (e) {
    mount(main, h("div", { class: "login panel", id: "invitation-invalid" },
      h("h1", {}, "This invitation cannot be used"),
      h("p", {}, e.message),
      h("p", {}, h("a", { href: "/" }, "Go to the sign-in page"))));
    return;
  }
  const joined = (body) => {
    storeTokens(body.tokens.access, body.tokens.refresh);
    location.replace("/#/");
  };
  const intro = h("p", {}, `You are invited to join ${invitation.organization} as ${invitation.role} (${invitation.email}).`);
  const join = hasSession()
    ? h("p", {}, h("button", { type: "button", class: "primary", id: "join-existing", onclick: () => attempt(async () => joined(await request("POST", "/invitations/accept/", { token }))) }, "Join with the account I am signed in with"))
    : null;
  const username = h("input", { name: "username", id: "invite-username", autocomplete: "username", required: true });
  const password = h("input", { name: "password", id: "invite-password", type: "password", autocomplete: "new-password", required: true });
  const submit = h("button", { class: "primary", type: "submit", id: "invite-submit" }, "Create my account");
  const form = h("form", { class: "form-grid" },
    h("label", {}, "Choose a username", username),
    h("label", {}, "Choose a password", h("span", { class: "hint" }, "8+ characters, not common, not like the username"), password),
    submit);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    submit.disabled = true;
    const body = await attempt(() => fetchAccept({ token, username: username.value.trim(), password: password.value }));
    submit.disabled = false;
    if (body) joined(body);
  });
  mount(main, h("div", { class: "login panel", id: "invitation" },
    h("h1", {}, `Join ${invitation.organization}`), intro, join, form));
  username.focus();
}

/** Accepting as a new person: no bearer token even if another account is signed in here. */
async function fetchAccept(body) {
  const resp = await fetch("/api/v1/invitations/accept/", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
  });
  const data = await resp.json().catch(() => null);
  if (!resp.ok) throw new ApiError(resp.status, data);
  return data;
}
