// Month: per person and per shift, on time / late / absent / on leave; a chart of the days; the .xlsx.

import { el, format } from "./dom.js";

const MARKS = ["on_time", "late", "absent", "leave"];
const COLOURS = { on_time: "var(--ok)", late: "var(--late)", absent: "var(--absent)", leave: "var(--leave)" };
const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attributes, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  node.append(...children);
  return node;
}

// One stacked bar per day of the month, the marks in their colours.
function chart(t, month, days) {
  const width = 340, height = 140, bottom = 16;
  const [year, monthNumber] = month.split("-").map(Number);
  const length = new Date(year, monthNumber, 0).getDate();
  const step = width / length;
  const most = Math.max(1, ...days.map((day) => MARKS.reduce((sum, mark) => sum + day[mark], 0)));
  const bars = days.flatMap((day) => {
    const x = (Number(day.date.slice(8)) - 1) * step;
    let y = height - bottom;
    return MARKS.filter((mark) => day[mark]).map((mark) => {
      const h = ((height - bottom - 4) * day[mark]) / most;
      y -= h;
      return svg("rect", { x: x + 1, y, width: Math.max(step - 2, 1), height: h, fill: COLOURS[mark] },
        svg("title", {}, `${day.date} ${t.marks[mark]} ${day[mark]}`));
    });
  });
  const labels = [];
  for (let day = 1; day <= length; day += 5) {
    labels.push(svg("text", { x: (day - 1) * step, y: height - 3, "font-size": 10, fill: "currentColor" }, String(day)));
  }
  return svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": t.month.chart, class: "chart" }, ...bars, ...labels);
}

function table(headers, rows) {
  return el("table", {},
    el("thead", {}, el("tr", {}, headers.map((header) => el("th", {}, header)))),
    el("tbody", {}, rows.map((row) => el("tr", {}, row.map((cell) => el("td", {}, cell))))));
}

async function download(ctx, month) {
  const response = await fetch(`api/month.xlsx?month=${month}`, { headers: { Authorization: `Bearer ${ctx.api.token}` } });
  if (!response.ok) throw new Error("generic");
  const link = el("a", { href: URL.createObjectURL(await response.blob()), download: `attendance-${month}.xlsx` });
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

export async function renderMonth(ctx, view, asked = null) {
  const t = ctx.t;
  const data = await ctx.api.get(asked ? `month?month=${asked}` : "month");
  const picker = el("input", { type: "month", value: data.month });
  picker.addEventListener("change", () => renderMonth(ctx, view, picker.value).catch((error) => ctx.fail(error)));
  const header = el("div", { class: "actions" }, picker);
  if (ctx.me.role === "admin") {
    header.append(el("button", { onclick: () => download(ctx, data.month).catch((error) => ctx.fail(error)) }, t.month.download));
  }
  const markHeaders = MARKS.map((mark) => t.marks[mark]);
  const people = data.people.map((p) => [p.name, p.on_time, p.late ? format(t.month.late_cell, { n: p.late, minutes: p.late_minutes }) : 0, p.absent, p.leave]);
  const shifts = data.shifts.map((s) => [s.name, ...MARKS.map((mark) => s[mark])]);
  view.replaceChildren(
    header,
    data.days.length ? chart(t, data.month, data.days) : el("p", { class: "hint" }, t.month.empty),
    el("h2", {}, t.month.people),
    table([t.month.name, ...markHeaders], people),
    el("h2", {}, t.month.shifts),
    table([t.month.shift, ...markHeaders], shifts),
  );
  return null;
}
