// The dashboard's API: signs in with Telegram's launch data once, then sends the session token.

export class ApiError extends Error {
  constructor(status, body) {
    super(body.error || "error");
    this.status = status;
    this.body = body;
  }
}

export class Api {
  constructor(initData) {
    this.initData = initData;
    this.token = null;
  }

  async signIn() {
    const response = await fetch("api/session", { method: "POST", headers: { Authorization: `tma ${this.initData}` } });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new ApiError(response.status, body);
    this.token = body.token;
    return body;
  }

  async request(path, options = {}) {
    for (let attempt = 0; attempt < 2; attempt++) {
      const headers = { ...(options.headers || {}), Authorization: `Bearer ${this.token}` };
      const response = await fetch(`api/${path}`, { ...options, headers });
      if (response.status === 401 && attempt === 0) {
        await this.signIn(); // the session ran out: sign in again with the same launch data
        continue;
      }
      const body = await response.json().catch(() => ({}));
      if (!response.ok) throw new ApiError(response.status, body);
      return body;
    }
  }

  get(path) { return this.request(path); }

  post(path, data) {
    return this.request(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(data) });
  }
}
