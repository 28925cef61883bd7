// The hub's HTTP API as the console uses it: bearer token from the login, problem+json errors turned into
// ApiError with the field the hub named. Nothing here touches the DOM.

const TOKEN_KEY = 'switchboard.token';
const USER_KEY = 'switchboard.user';

/** A refused request: `status`, the problem's `title`/`detail`, and `field` when the hub named one. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `request failed (${status})`);
    this.status = status;
    this.problem = problem || {};
    this.field = problem?.field || problem?.errors?.[0]?.field || null;
  }
}

/** The signed-in staff member, or null. */
export function currentSession() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const user = sessionStorage.getItem(USER_KEY);
  if (!token || !user) {
    return null;
  }
  try {
    return { token, user: JSON.parse(user) };
  } catch {
    return null;
  }
}

export function forgetSession() {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(USER_KEY);
}

/** Signs in; keeps the token for this browser tab only (sessionStorage). */
export async function login(username, password) {
  const res = await fetch('/api/v1/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const body = await readBody(res);
  if (!res.ok) {
    throw new ApiError(res.status, body);
  }
  sessionStorage.setItem(TOKEN_KEY, body.token);
  sessionStorage.setItem(USER_KEY, JSON.stringify(body.agent));
  return { token: body.token, user: body.agent };
}

async function readBody(res) {
  const type = res.headers.get('Content-Type') || '';
  if (res.status === 204) {
    return null;
  }
  if (type.includes('json')) {
    return res.json();
  }
  const text = await res.text();
  return text ? { detail: text } : null;
}

/** Calls to /api/v1 with the session's token. A 401 means the session ended: `onUnauthenticated` runs. */
export class Api {
  constructor(token, onUnauthenticated = () => {}) {
    this.token = token;
    this.onUnauthenticated = onUnauthenticated;
  }

  async request(method, path, body, { raw = false, headers = {} } = {}) {
    const init = { method, headers: { Authorization: `Bearer ${this.token}`, ...headers } };
    if (body !== undefined) {
      if (raw) {
        init.body = body;
      } else {
        init.headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(body);
      }
    }
    let res;
    try {
      res = await fetch(`/api/v1${path}`, init);
    } catch (e) {
      throw new ApiError(0, { title: 'The hub did not answer', detail: `The hub did not answer (${e.message}).` });
    }
    const data = await readBody(res);
    if (res.status === 401) {
      this.onUnauthenticated();
    }
    if (!res.ok) {
      throw new ApiError(res.status, data);
    }
    return data;
  }

  get(path) { return this.request('GET', path); }
  post(path, body = {}) { return this.request('POST', path, body); }
  patch(path, body) { return this.request('PATCH', path, body); }
  put(path, body) { return this.request('PUT', path, body); }
  del(path) { return this.request('DELETE', path); }

  /** The signed-in staff member with the rights they have (`GET /auth/me`), asked once per login. */
  me() {
    if (!this.mePromise) {
      this.mePromise = this.get('/auth/me').catch((e) => { this.mePromise = null; throw e; });
    }
    return this.mePromise;
  }

  logout() {
    return this.request('POST', '/auth/logout', {}).catch(() => null);
  }
}
