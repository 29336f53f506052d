// Requests: leave, swaps and missed-punch fixes waiting for a decision; approve or reject each (the same
// decision as the chat's buttons: the chat cards and the requester are updated too).

import { el, format } from "./dom.js";

function details(t, request) {
  const days = request.start_date === request.end_date ? request.start_date : `${request.start_date} – ${request.end_date}`;
  const lines = [days];
  if (request.shift) lines.push(request.shift);
  if (request.colleague) lines.push(format(t.requests.with_colleague, { name: request.colleague }));
  if (request.punch) lines.push(format(t.requests.punch[request.punch], { time: request.punch_at ?? "" }));
  return lines.join(" · ");
}

function requestCard(ctx, request, onDecided) {
  const t = ctx.t;
  const status = el("p", { class: "hint", "data-status": "" });
  const decide = async (approve, buttons) => {
    for (const button of buttons) button.disabled = true;
    try {
      const answer = await ctx.api.post(`requests/${request.id}/decision`, { approve });
      status.textContent = t.requests.outcome[answer.outcome === "done" ? answer.status : answer.outcome] ?? t.errors.generic;
      if (answer.outcome === "not_ready") for (const button of buttons) button.disabled = false;
      else onDecided();
    } catch (error) {
      for (const button of buttons) button.disabled = false;
      status.textContent = t.errors[error.message] ?? t.errors.generic;
    }
  };
  const approve = el("button", { "data-approve": "true" }, t.requests.approve);
  const reject = el("button", { "data-approve": "false", class: "secondary" }, t.requests.reject);
  approve.addEventListener("click", () => decide(true, [approve, reject]));
  reject.addEventListener("click", () => decide(false, [approve, reject]));
  return el(
    "section",
    { class: "card", "data-request": request.id },
    el("h2", {}, `${t.requests.kind[request.kind] ?? request.kind} · ${request.name ?? "?"}`, el("small", {}, `#${request.id}`)),
    el("p", {}, details(t, request)),
    request.reason ? el("p", { class: "hint" }, request.reason) : null,
    el("div", { class: "actions" }, approve, reject),
    status,
  );
}

export async function renderRequests(ctx, screen) {
  const t = ctx.t;
  const data = await ctx.api.get("requests");
  if (!data.requests.length) {
    screen.replaceChildren(el("p", { class: "hint" }, t.requests.none));
    return null;
  }
  let left = data.requests.length;
  const onDecided = () => {
    left -= 1;
    if (!left) screen.append(el("p", { class: "hint" }, t.requests.none));
  };
  screen.replaceChildren(...data.requests.map((request) => requestCard(ctx, request, onDecided)));
  return null;
}
