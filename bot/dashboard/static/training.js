// Training: for an admin, everyone in training with their readiness, and a person's progress at a tap; the
// same progress card (days taught, the next lesson, quiz accuracy, reviews due) is a staff member's own on Today.

import { el, format } from "./dom.js";

// "✅ ready" or "day 3/10", with paused and an undelivered lesson said too.
export function standing(t, learner) {
  if (learner.ready) return el("span", { class: "mark on_time" }, t.training.ready);
  const parts = [format(t.training.day, { done: learner.days_done, total: learner.days_total })];
  if (learner.paused) parts.push(t.training.paused);
  if (learner.undelivered) parts.push(t.training.undelivered);
  return el("span", { class: `mark ${learner.paused || learner.undelivered ? "late" : "waiting"}` }, parts.join(" · "));
}

export function accuracy(t, learner) {
  return learner.answered ? format(t.training.accuracy, { percent: learner.accuracy, right: learner.right, answered: learner.answered }) : t.training.no_answers;
}

// One person's progress as a card (their own page, or an admin's tap on a name).
export function progressCard(t, data) {
  if (!data.enrolled) return el("section", { class: "card", "data-training": data.person_id }, el("h2", {}, data.name), el("p", { class: "hint" }, t.training.not_enrolled));
  const lines = [
    el("p", {}, format(t.training.days, { done: data.days_done, total: data.days_total })),
  ];
  if (data.ready) lines.push(el("p", { class: "mark on_time" }, format(t.training.ready_since, { day: data.ready_on })));
  else if (data.paused) lines.push(el("p", { class: "hint" }, t.training.paused_long));
  if (data.today) lines.push(el("p", {}, format(t.training.today, { day: data.today.day, state: t.training.state[data.today.state] ?? data.today.state })));
  if (data.next_lesson) {
    lines.push(el("p", { "data-next": "" }, data.next_lesson.at
      ? format(t.training.next, { day: data.next_lesson.day, title: data.next_lesson.title, at: data.next_lesson.at })
      : format(t.training.next_unplanned, { day: data.next_lesson.day, title: data.next_lesson.title })));
  }
  lines.push(el("p", { "data-accuracy": "" }, accuracy(t, data)));
  if (data.unanswered) lines.push(el("p", { class: "hint" }, format(t.training.unanswered, { n: data.unanswered })));
  if (data.reviews_due) lines.push(el("p", { "data-reviews": "" }, format(t.training.reviews_due, { n: data.reviews_due })));
  else if (data.next_review) lines.push(el("p", { class: "hint" }, format(t.training.next_review, { day: data.next_review })));
  if (data.weakest.length) lines.push(el("p", { class: "hint" }, format(t.training.weakest, { notes: data.weakest.join("、") })));
  return el("section", { class: "card", "data-training": data.person_id },
    el("h2", {}, data.name, el("small", {}, data.plan)), ...lines);
}

async function showPerson(ctx, personId) {
  const dialog = document.getElementById("detail");
  const data = await ctx.api.get(`people/${personId}/training`);
  dialog.replaceChildren(progressCard(ctx.t, data), el("form", { method: "dialog", class: "actions" }, el("button", {}, ctx.t.close)));
  dialog.showModal();
}

export async function renderTraining(ctx, view) {
  const t = ctx.t;
  const data = await ctx.api.get("training");
  if (!data.learners.length) {
    view.replaceChildren(el("p", { class: "hint" }, t.training.nobody));
    return null;
  }
  const ready = data.learners.filter((learner) => learner.ready).length;
  const rows = data.learners.map((learner) => el("li", { "data-person": learner.person_id, onclick: () => showPerson(ctx, learner.person_id).catch((error) => ctx.fail(error)) },
    el("span", {}, learner.name, el("small", { class: "hint" }, `  ${accuracy(t, learner)}`)),
    standing(t, learner)));
  view.replaceChildren(
    el("p", { class: "hint" }, format(t.training.summary, { ready, total: data.learners.length })),
    el("section", { class: "card" }, el("ul", { class: "people" }, rows)),
  );
  return null;
}
