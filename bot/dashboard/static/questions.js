// Questions: the unanswered queue; an answer typed here reaches the asker as one given in the chat does.

import { el, format } from "./dom.js";

// After an answer: save it as a note, so that the next person asking gets it from the bot.
function saveButton(ctx, question, status) {
  const t = ctx.t;
  const save = el("button", { class: "secondary" }, t.questions.save);
  save.addEventListener("click", async () => {
    save.disabled = true;
    try {
      const saved = await ctx.api.post(`questions/${question.id}/note`, {});
      status.textContent = format(saved.loaded ? t.questions.saved : t.questions.saved_with_problems, { note: saved.note });
    } catch (error) {
      save.disabled = false;
      status.textContent = t.errors[error.message] ?? t.errors.generic;
    }
  });
  return save;
}

function questionCard(ctx, question) {
  const t = ctx.t;
  const answer = el("textarea", { rows: "3", maxlength: "3500", placeholder: t.questions.placeholder });
  const send = el("button", {}, t.questions.send);
  const status = el("p", { class: "hint" });
  send.addEventListener("click", async () => {
    const text = answer.value.trim();
    if (!text) return;
    send.disabled = answer.disabled = true;
    try {
      const result = await ctx.api.post(`questions/${question.id}/answer`, { text });
      status.textContent = t.questions.outcome[result.outcome] ?? t.errors.generic;
      if (result.outcome === "done") send.replaceWith(saveButton(ctx, question, status));
    } catch (error) {
      send.disabled = answer.disabled = false;
      status.textContent = t.errors[error.message] ?? t.errors.generic;
    }
  });
  const about = [question.asked_at, question.asker ?? t.questions.someone];
  if (question.disliked) about.push(t.questions.disliked);
  return el(
    "section",
    { class: "card", "data-question": question.id },
    el("h2", {}, question.text, el("small", {}, `#${question.id}`)),
    el("p", { class: "hint" }, about.join(" · ")),
    answer,
    el("div", { class: "actions" }, send),
    status,
  );
}

// Edit an existing note: its file as written, checked as `kb check` checks it before it is saved.
function noteEditor(ctx) {
  const t = ctx.t;
  const choose = el("select", { "aria-label": t.notes.choose }, el("option", { value: "" }, t.notes.choose));
  const text = el("textarea", { rows: "12", hidden: "" });
  const save = el("button", { hidden: "" }, t.notes.save);
  const status = el("div", { class: "hint" });
  ctx.api.get("notes").then((data) => {
    choose.append(...data.notes.map((note) => el("option", { value: note.id }, `${note.title} (${note.id})`)));
  }, () => status.replaceChildren(t.errors.generic));
  choose.addEventListener("change", async () => {
    status.replaceChildren();
    if (!choose.value) return;
    const note = await ctx.api.get(`notes/${choose.value}`);
    text.value = note.text;
    text.hidden = save.hidden = false;
  });
  save.addEventListener("click", async () => {
    save.disabled = true;
    try {
      const result = await ctx.api.request(`notes/${choose.value}`, {
        method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ text: text.value }),
      });
      status.replaceChildren(format(t.notes.saved, { title: result.title }));
    } catch (error) {
      const problems = error.body?.problems ?? [];
      status.replaceChildren(el("p", { class: "error" }, t.notes.invalid), el("ul", {}, problems.map((p) => el("li", {}, p))));
    } finally {
      save.disabled = false;
    }
  });
  return el("section", { class: "card", "data-notes": "" }, el("h2", {}, t.notes.title), choose, text,
    el("div", { class: "actions" }, save), status);
}

export async function renderQuestions(ctx, view) {
  const t = ctx.t;
  const data = await ctx.api.get("questions");
  const queue = data.questions.length
    ? [el("p", { class: "hint" }, format(t.questions.total, { total: data.total })), ...data.questions.map((question) => questionCard(ctx, question))]
    : [el("p", { class: "hint" }, t.questions.none)];
  view.replaceChildren(...queue, noteEditor(ctx));
  return null;
}
