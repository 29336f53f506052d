// Applicants: each posting's pipeline (new, contacted, interviewed, hired, rejected), moved along as with
// the chat's buttons: a hire sends the applicant a staff invite.

import { el, format } from "./dom.js";

const PIPELINE = ["new", "contacted", "interviewed", "hired", "rejected"];
const SETTABLE = ["contacted", "interviewed", "hired", "rejected"];

function applicantLine(ctx, view, applicant, status) {
  const t = ctx.t;
  const choose = el("select", { "aria-label": t.applicants.move },
    el("option", { value: "" }, t.applicants.move),
    SETTABLE.filter((next) => next !== status).map((next) => el("option", { value: next }, t.applicants.status[next])));
  const result = el("small", { class: "hint" });
  choose.addEventListener("change", async () => {
    if (!choose.value) return;
    choose.disabled = true;
    try {
      const change = await ctx.api.post(`applications/${applicant.id}/status`, { status: choose.value });
      const notes = [t.applicants.status[choose.value]];
      if (change.invited) notes.push(t.applicants.invited);
      if (change.filled) notes.push(t.applicants.filled);
      await renderApplicants(ctx, view);
      view.prepend(el("p", { class: "hint" }, format(t.applicants.moved, { name: applicant.name, notes: notes.join(" ") })));
    } catch (error) {
      choose.disabled = false;
      result.textContent = t.errors[error.message] ?? t.errors.generic;
    }
  });
  return el("li", { "data-application": applicant.id },
    el("span", {}, applicant.name, " ", el("small", { class: "hint" }, `${applicant.village} · ${applicant.availability}`),
      el("br"), el("a", { href: `tel:${applicant.phone}` }, applicant.phone), result),
    choose);
}

function postingCard(ctx, view, posting) {
  const t = ctx.t;
  const columns = PIPELINE.map((status) => {
    const people = posting.pipeline[status];
    return el("div", { "data-status": status },
      el("h3", {}, `${t.applicants.status[status]} ${people.length}`),
      people.length ? el("ul", { class: "people" }, people.map((a) => applicantLine(ctx, view, a, status))) : null);
  });
  return el("section", { class: "card", "data-posting": posting.id },
    el("h2", {}, posting.title, el("small", {}, `${t.applicants.state[posting.state] ?? posting.state} · ${format(t.applicants.headcount, { n: posting.headcount })}`)),
    columns);
}

export async function renderApplicants(ctx, view) {
  const data = await ctx.api.get("applicants");
  if (!data.postings.length) {
    view.replaceChildren(el("p", { class: "hint" }, ctx.t.applicants.none));
    return null;
  }
  view.replaceChildren(...data.postings.map((posting) => postingCard(ctx, view, posting)));
  return null;
}
