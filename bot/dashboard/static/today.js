// Today: every shift of the day and everyone on it; tap a person for their week and their training. Staff
// see their own shifts and their training. Refreshes by itself.

import { el, format } from "./dom.js";
import { accuracy, progressCard, standing } from "./training.js";

const REFRESH_MS = 60_000;

function markText(t, entry) {
  if (entry.mark === "late") return format(t.marks.late_minutes, { minutes: entry.late_minutes });
  return t.marks[entry.mark] ?? entry.mark;
}

function personLine(t, entry, onTap) {
  const time = entry.checkin_at ? `${entry.checkin_at}${entry.checkout_at ? `–${entry.checkout_at}` : ""}` : "";
  return el(
    "li",
    { "data-person": entry.person_id, onclick: () => onTap(entry.person_id) },
    el("span", {}, entry.name, time ? el("small", { class: "hint" }, `  ${time}`) : null),
    el("span", { class: `mark ${entry.mark}` }, markText(t, entry)),
  );
}

function shiftCard(t, shift, onTap) {
  const counts = Object.entries(shift.counts).map(([mark, n]) =>
    el("span", { class: `chip mark ${mark}` }, `${t.marks[mark] ?? mark} ${n}`),
  );
  return el(
    "section",
    { class: "card", "data-shift": shift.shift_id },
    el("h2", {}, shift.name, el("small", {}, `${shift.starts_at}–${shift.ends_at}`)),
    el("div", { class: "counts" }, counts),
    el("ul", { class: "people" }, shift.people.map((entry) => personLine(t, entry, onTap))),
  );
}

async function showWeek(ctx, personId) {
  const dialog = document.getElementById("detail");
  const [week, training] = await Promise.all([ctx.api.get(`people/${personId}/week`), ctx.api.get(`people/${personId}/training`)]);
  const t = ctx.t;
  const rows = week.shifts.map((shift) =>
    el("li", {}, el("span", {}, `${shift.date.slice(5)} ${shift.name}`), el("span", { class: `mark ${shift.people[0].mark}` }, markText(t, shift.people[0]))),
  );
  dialog.replaceChildren(
    el("h2", {}, format(t.today.week_of, { name: week.name })),
    rows.length ? el("ul", { class: "people" }, rows) : el("p", { class: "hint" }, t.today.no_shifts_week),
    training.enrolled ? el("p", { "data-training": "" }, standing(t, training), el("small", { class: "hint" }, `  ${accuracy(t, training)}`)) : null,
    el("form", { method: "dialog", class: "actions" }, el("button", {}, t.close)),
  );
  dialog.showModal();
}

export async function renderToday(ctx, screen) {
  const t = ctx.t;
  const own = ctx.me.role !== "admin";
  const [data, training] = await Promise.all([ctx.api.get("today"), own ? ctx.api.get(`people/${ctx.me.person_id}/training`) : null]);
  const onTap = (personId) => showWeek(ctx, personId).catch((error) => ctx.fail(error));
  const heading = el("p", { class: "hint" }, format(t.today.updated, { day: data.day, time: data.updated_at }));
  if (!data.shifts.length) {
    screen.replaceChildren(heading, el("p", { class: "hint" }, data.day_off ? t.today.day_off : t.today.no_shifts));
  } else {
    screen.replaceChildren(heading, ...data.shifts.map((shift) => shiftCard(t, shift, onTap)));
  }
  if (training?.enrolled) screen.append(progressCard(t, training)); // a staff member's own page: their training
  return setTimeout(() => ctx.refresh("today"), REFRESH_MS);
}
