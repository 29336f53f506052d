// Notices: for an admin, each notice's acknowledgement rate, who has not confirmed, remind now; for staff,
// the notices they have not confirmed yet.

import { el, format } from "./dom.js";

function noticeCard(ctx, notice) {
  const t = ctx.t;
  const card = el("section", { class: "card", "data-notice": notice.id },
    el("h2", {}, notice.summary, el("small", {}, notice.sent_at ?? "")));
  if (!notice.needs_ack) {
    card.append(el("p", { class: "hint" }, t.notices.no_ack));
    return card;
  }
  const percent = notice.expected ? Math.round((100 * notice.acknowledged) / notice.expected) : 0;
  card.append(
    el("p", { "data-rate": "" }, format(t.notices.rate, { done: notice.acknowledged, expected: notice.expected, percent })),
    el("div", { class: "bar" }, el("span", { style: `width: ${percent}%` })),
  );
  if (notice.missing.length) {
    const status = el("p", { class: "hint" });
    const remind = el("button", {}, t.notices.remind);
    remind.addEventListener("click", async () => {
      remind.disabled = true;
      try {
        const result = await ctx.api.post(`notices/${notice.id}/remind`, {});
        status.textContent = result.reminded ? format(t.notices.reminded, { n: result.reminded }) : t.notices.nobody;
      } catch (error) {
        remind.disabled = false;
        status.textContent = t.errors[error.message] ?? t.errors.generic;
      }
    });
    card.append(
      el("p", { class: "hint" }, format(t.notices.missing, { names: notice.missing.join("、") })),
      el("div", { class: "actions" }, remind),
      status,
    );
  }
  return card;
}

export async function renderNotices(ctx, view) {
  const t = ctx.t;
  const data = await ctx.api.get("notices");
  if (data.waiting) {
    view.replaceChildren(data.waiting.length
      ? el("section", { class: "card" }, el("h2", {}, t.notices.waiting),
        el("ul", { class: "people" }, data.waiting.map((n) => el("li", {}, el("span", {}, n.summary), el("small", { class: "hint" }, n.sent_at ?? "")))),
        el("p", { class: "hint" }, t.notices.how))
      : el("p", { class: "hint" }, t.notices.all_done));
    return null;
  }
  view.replaceChildren(...(data.notices.length ? data.notices.map((notice) => noticeCard(ctx, notice)) : [el("p", { class: "hint" }, t.notices.none)]));
  return null;
}
