// The only way the dashboard talks to the server: the public /api/v1 API. The access token
// lives in this tab's sessionStorage; the refresh token only in the session cookie (HttpOnly,
// so no script reads it; sent only to /api/v1/auth/ with the X-Switchyard-Session header),
// which every tab shares: a page opened in a new tab is signed in. A 401 triggers one
// transparent refresh (shared by concurrent requests).

const ACCESS = "switchyard.access";
const SESSION_HEADER = { "X-Switchyard-Session": "1" };

/** An error answered by the API, carrying its status and message. */
export class ApiError extends Error {
  constructor(status, body) {
    super(messageOf(status, body));
    this.status = status;
    this.body = body;
    this.fieldErrors = body && typeof body.errors === "object" && body.errors ? body.errors : null;
  }
}

function messageOf(status, body) {
  if (body && typeof body.detail === "string" && body.detail) return body.detail;
  if (status === 0) return "The server could not be reached.";
  return `The server answered ${status}.`;
}

export function hasSession() {
  return Boolean(sessionStorage.getItem(ACCESS));
}

/** Keeps a new pair: the access token in this tab, the refresh token in the session cookie
 * (resolves once the cookie is set). */
export function storeTokens(access, refresh) {
  sessionStorage.setItem(ACCESS, access);
  noCookie = false;
  if (!refresh) return Promise.resolve();
  return fetch("/api/v1/auth/session/", {
    method: "POST",
    headers: { "Content-Type": "application/json", ...SESSION_HEADER },
    body: JSON.stringify({ refresh }),
  }).catch(() => {});
}

export function clearTokens() {
  sessionStorage.removeItem(ACCESS);
}

let refreshing = null;
/** Set once the session cookie was refused: no more tries until the next sign-in. */
let noCookie = false;

/** A new access token from the session cookie (which the server rotates). Another tab may
 * have rotated it a moment before: one retry picks up the cookie that tab received. */
async function refreshTokens() {
  if (!refreshing) {
    refreshing = (async () => {
      try {
        for (let attempt = 0; attempt < 2; attempt++) {
          if (attempt) await new Promise((r) => setTimeout(r, 200));
          const resp = await fetch("/api/v1/auth/refresh/", {
            method: "POST",
            headers: { "Content-Type": "application/json", ...SESSION_HEADER },
            body: "{}",
          });
          if (resp.ok) {
            sessionStorage.setItem(ACCESS, (await resp.json()).access);
            return true;
          }
          if (resp.status !== 401) return false;
        }
        noCookie = true;
        return false;
      } catch {
        return false;
      } finally {
        setTimeout(() => { refreshing = null; }, 0);
      }
    })();
  }
  return refreshing;
}

/** Signs this tab in from the session cookie, if there is one (a page opened in a new tab). */
export async function resumeSession() {
  return hasSession() || (!noCookie && refreshTokens());
}

/** Called when the session cannot be refreshed (set by the app shell). */
let onSessionLost = () => {};
export function setSessionLostHandler(handler) {
  onSessionLost = handler;
}

/** Calls that present credentials themselves: a 401 there is an answer, not an expiry. */
function isCredentialCall(path) {
  return /^\/auth\/(login|refresh|logout|register|password-reset)/.test(path);
}

/** Sends a request to `/api/v1{path}`; resolves to the JSON body (null for 204). */
export async function request(method, path, body) {
  const send = () => {
    const headers = { Accept: "application/json" };
    const token = sessionStorage.getItem(ACCESS);
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    return fetch(`/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  };
  let resp;
  try {
    resp = await send();
    if (resp.status === 401 && !isCredentialCall(path) && (await refreshTokens())) {
      resp = await send();
    }
  } catch {
    throw new ApiError(0, null);
  }
  const text = await resp.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (resp.status === 401 && !isCredentialCall(path)) {
    clearTokens();
    onSessionLost();
  }
  if (!resp.ok) throw new ApiError(resp.status, data);
  return data;
}

export const get = (path) => request("GET", path);
export const post = (path, body) => request("POST", path, body ?? {});
export const patch = (path, body) => request("PATCH", path, body);
export const del = (path) => request("DELETE", path);

/** Builds a query string from an object, skipping empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== "") q.set(k, v);
  }
  const text = q.toString();
  return text ? `?${text}` : "";
}

/** Every item of a paginated list (for dropdowns: users, teams, workflows). */
export async function all(path, params) {
  const items = [];
  for (let page = 1; page <= 50; page++) {
    const body = await get(path + query({ ...params, page_size: 100, page }));
    items.push(...body.results);
    if (!body.next) break;
  }
  return items;
}

/** Signs in; resolves to `{ mfaToken }` when the account needs a second-factor code. */
export async function login(username, password) {
  const body = await request("POST", "/auth/login/", { username, password });
  if (body.mfa_required) return { mfaToken: body.mfa_token };
  await storeTokens(body.access, body.refresh);
  return {};
}

/** The second sign-in step: a code from the authenticator app, or a recovery code. */
export async function loginTwoFactor(mfaToken, code) {
  const recovery = /[a-z]/i.test(code);
  const body = await request("POST", "/auth/login/2fa/", recovery
    ? { mfa_token: mfaToken, recovery_code: code }
    : { mfa_token: mfaToken, code: code.replace(/\s/g, "") });
  await storeTokens(body.access, body.refresh);
}

/** Ends the session: both tokens revoked, the cookie cleared (every tab is signed out). */
export async function logout() {
  try {
    const token = sessionStorage.getItem(ACCESS);
    await fetch("/api/v1/auth/logout/", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}`, ...SESSION_HEADER },
      body: "{}",
    });
  } finally {
    clearTokens();
    noCookie = true;
  }
}
