// The playground's HTTP API: JSON in and out, every request naming who acts ("as").

export class ApiError extends Error {
  constructor(status, body) {
    super(body.error || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

async function parse(response) {
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

export const api = {
  state() {
    return fetch("api/state").then(parse);
  },

  chat(chatId, as) {
    return fetch(`api/chats/${encodeURIComponent(chatId)}?as=${encodeURIComponent(as)}`).then(parse);
  },

  post(path, data) {
    return fetch(`api/${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(data),
    }).then(parse);
  },

  events(as) {
    return new EventSource(`api/events?as=${encodeURIComponent(as)}`);
  },
};
