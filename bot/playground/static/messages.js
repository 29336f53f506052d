// One chat message as a bubble: the server's sanitised HTML, media, polls, edited mark, inline keyboard.
// ``ctx`` gives the strings (``t``), who is looking (``me``), the bot and the actions buttons and links call.

import { el, format } from "./dom.js";
import { commandLinks, fenceLinks, isBotLink, linkify, tidyBlocks } from "./links.js";
import { hhmm } from "./time.js";

function size(bytes, t) {
  if (!Number.isFinite(bytes)) return "";
  if (bytes < 1024) return format(t.files.bytes, { n: bytes });
  if (bytes < 1024 * 1024) return format(t.files.kb, { n: (bytes / 1024).toFixed(1) });
  return format(t.files.mb, { n: (bytes / 1024 / 1024).toFixed(1) });
}

function copyTextOf(button) {
  const value = button.copy_text;
  if (value === undefined || value === null) return null;
  return typeof value === "string" ? value : (value.text ?? "");
}

/** The message's text: the server's HTML (already sanitised) with bare addresses linked and deep links wired. */
function body(ctx, message) {
  const text = el("div", { class: "text" });
  text.innerHTML = message.html || ""; // sanitised by the server: b, i, u, s, code, pre, a, blockquote, tg-spoiler
  tidyBlocks(text);
  linkify(text);
  fenceLinks(text);
  if (message.from === "bot") commandLinks(text, ctx.send);
  for (const spoiler of text.querySelectorAll("tg-spoiler")) {
    spoiler.addEventListener("click", () => spoiler.classList.add("shown"));
  }
  for (const link of text.querySelectorAll("a[href]")) {
    const href = link.getAttribute("href");
    if (isBotLink(href, ctx.bot.username)) {
      link.classList.add("deep-link");
      link.addEventListener("click", (event) => {
        event.preventDefault();
        ctx.openLink(href);
      });
      const handOver = el("button", { type: "button", class: "send-to", "data-url": href, onclick: () => ctx.sendTo(href) },
        ctx.t.links.send_to);
      link.after(" ", handOver);
    } else {
      link.setAttribute("target", "_blank");
      link.setAttribute("rel", "noopener noreferrer");
    }
  }
  return text;
}

function media(ctx, message) {
  const parts = [];
  if (message.photo) {
    parts.push(el("a", { class: "photo", href: message.photo.url, target: "_blank", rel: "noopener" },
      el("img", { src: message.photo.url, alt: ctx.t.files.photo, loading: "lazy" })));
  }
  if (message.document) {
    const file = message.document;
    parts.push(el("a", { class: "document", href: file.url, download: file.file_name || true },
      el("span", { class: "icon", "aria-hidden": "true" }, "📄"),
      el("span", { class: "name" }, file.file_name || ctx.t.files.document),
      el("small", {}, size(file.size, ctx.t))));
  }
  if (message.contact) {
    const contact = message.contact;
    const name = [contact.first_name, contact.last_name].filter(Boolean).join(" ");
    parts.push(el("div", { class: "contact" }, "📱 ", name ? `${name} · ` : "", contact.phone_number ?? ""));
  }
  if (message.location) {
    const { latitude, longitude } = message.location;
    parts.push(el("div", { class: "location" }, "📍 ",
      format(ctx.t.location, { lat: Number(latitude).toFixed(5), lon: Number(longitude).toFixed(5) })));
  }
  return parts;
}

function poll(ctx, message) {
  const t = ctx.t.poll;
  const data = message.poll;
  const quiz = data.type === "quiz";
  const chosen = data.chosen || [];
  const answered = chosen.length > 0;
  const open = !answered && !data.is_closed;
  const total = data.options.reduce((sum, option) => sum + (option.voter_count || 0), 0);
  const box = el("div", { class: "poll", "data-poll": quiz ? "quiz" : "regular" },
    el("div", { class: "kind" }, quiz ? t.quiz : t.regular, data.is_closed ? ` · ${t.closed}` : ""),
    el("div", { class: "question" }, data.question));
  const list = el("ol", { class: "options" });
  data.options.forEach((option, index) => {
    if (open) {
      list.append(el("li", {}, el("button", { type: "button", class: "option", onclick: () => ctx.answerPoll(message, [index]) }, option.text)));
      return;
    }
    const percent = total ? Math.round((100 * (option.voter_count || 0)) / total) : 0;
    const marks = [];
    let state = "";
    if (quiz && data.correct_option_id === index) {
      marks.push("✅");
      state = "correct";
    } else if (quiz && chosen.includes(index)) {
      marks.push("❌");
      state = "wrong";
    } else if (chosen.includes(index)) {
      marks.push("✔️");
      state = "chosen";
    }
    list.append(el("li", { class: `result ${state}`, "data-chosen": chosen.includes(index) ? "true" : null },
      el("span", { class: "percent" }, `${percent}%`),
      el("span", { class: "label" }, marks.join(""), marks.length ? " " : "", option.text),
      el("span", { class: "bar" }, el("span", { style: `width: ${percent}%` }))));
  });
  box.append(list);
  if (quiz && answered && data.correct_option_id !== undefined && data.correct_option_id !== null) {
    const right = chosen.includes(data.correct_option_id);
    box.append(el("p", { class: `verdict ${right ? "correct" : "wrong"}` }, right ? t.right : t.wrong));
  }
  if (quiz && data.explanation) {
    const explanation = el("p", { class: "explanation" });
    explanation.innerHTML = data.explanation; // the server's sanitised HTML, as a message's text
    fenceLinks(explanation);
    box.append(explanation);
  }
  box.append(el("small", { class: "hint" }, format(t.votes, { n: total })));
  return box;
}

function inlineKeyboard(ctx, message) {
  const rows = message.reply_markup?.inline_keyboard || [];
  if (!rows.length) return null;
  return el("div", { class: "inline-keyboard" }, rows.map((row) => el("div", { class: "row" }, row.map((button) => {
    const copy = copyTextOf(button);
    if (copy !== null) {
      return el("button", { type: "button", class: "copy", "data-copy": "", onclick: () => ctx.copy(copy) },
        button.text, el("span", { class: "corner copy-mark", "aria-hidden": "true" }));
    }
    if (button.url) {
      return el("button", { type: "button", class: "url", "data-url": button.url, onclick: () => ctx.openLink(button.url) },
        button.text, el("span", { class: "corner", "aria-hidden": "true" }, "↗"));
    }
    if (button.callback_data !== undefined) {
      const node = el("button", { type: "button", "data-callback": button.callback_data }, button.text);
      node.addEventListener("click", async () => {
        node.classList.add("busy");
        try {
          await ctx.press(message, button.callback_data);
        } finally {
          node.classList.remove("busy");
        }
      });
      return node;
    }
    return el("button", { type: "button", disabled: true }, button.text);
  }))));
}

/** Whether ``message`` was written by the person looking at the chat. */
export function isMine(ctx, message) {
  if (message.from !== "user") return false;
  return ctx.chat.type === "private" || message.sender_name === ctx.me.name;
}

export function renderMessage(ctx, message, wall) {
  const mine = isMine(ctx, message);
  const bubble = el("div", { class: "bubble" });
  if (ctx.chat.type !== "private" && !mine) {
    bubble.append(el("div", { class: `sender ${message.from}` }, message.sender_name || ""));
  }
  bubble.append(...media(ctx, message));
  if (message.poll) bubble.append(poll(ctx, message));
  if (message.html) bubble.append(body(ctx, message));
  bubble.append(el("div", { class: "meta" },
    message.edited ? el("span", { class: "edited" }, ctx.t.edited) : null,
    el("time", {}, hhmm(wall))));
  fenceLinks(bubble); // files' addresses too
  return el("div", {
    class: `message ${mine ? "mine" : "theirs"} from-${message.from}`,
    "data-message-id": message.message_id,
    "data-edited": message.edited ? "true" : null,
  }, bubble, inlineKeyboard(ctx, message));
}

/** A short text line for the chat list, from a message. */
export function preview(t, message) {
  if (!message) return "";
  if (message.poll) return `📊 ${message.poll.question}`;
  if (message.document) return `📄 ${message.document.file_name || t.files.document}`;
  const text = new DOMParser().parseFromString(`<body>${message.html || ""}</body>`, "text/html").body.textContent;
  if (text.trim()) return (message.photo ? "🖼 " : "") + text.trim().replace(/\s+/g, " ");
  if (message.photo) return `🖼 ${t.files.photo}`;
  if (message.contact) return `📱 ${t.files.contact}`;
  if (message.location) return `📍 ${t.files.location}`;
  return "";
}
