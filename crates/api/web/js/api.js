// The only way the dashboard talks to the server: the public /api/v1 API with JWTs kept in
// sessionStorage. A 401 triggers one transparent refresh (shared by concurrent requests).

const ACCESS = "switchyard.access";
const REFRESH = "switchyard.refresh";

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

export function storeTokens(access, refresh) {
  sessionStorage.setItem(ACCESS, access);
  if (refresh) sessionStorage.setItem(REFRESH, refresh);
}

export function clearTokens() {
  sessionStorage.removeItem(ACCESS);
  sessionStorage.removeItem(REFRESH);
}

let refreshing = null;

async function refreshTokens() {
  const refresh = sessionStorage.getItem(REFRESH);
  if (!refresh) return false;
  if (!refreshing) {
    refreshing = (async () => {
      try {
        const resp = await fetch("/api/v1/auth/refresh/", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ refresh }),
        });
        if (!resp.ok) return false;
        const body = await resp.json();
        storeTokens(body.access, body.refresh);
        return true;
      } catch {
        return false;
      } finally {
        setTimeout(() => { refreshing = null; }, 0);
      }
    })();
  }
  return refreshing;
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
  storeTokens(body.access, body.refresh);
  return {};
}

/** The second sign-in step: a code from the authenticator app, or a recovery code. */
export async function loginTwoFactor(mfaToken, code) {
  const recovery = /[a-z]/i.test(code);
  const body = await request("POST", "/auth/login/2fa/", recovery
    ? { mfa_token: mfaToken, recovery_code: code }
    : { mfa_token: mfaToken, code: code.replace(/\s/g, "") });
  storeTokens(body.access, body.refresh);
}

export async function logout() {
  const refresh = sessionStorage.getItem(REFRESH);
  try {
    if (refresh) await request("POST", "/auth/logout/", { refresh });
  } finally {
    clearTokens();
  }
}
