// The playground page: a phone-like chat where one can be any of the cast (an admin, two employees, a job
// seeker) talking to the real bot, with a clock to move forward, a guided tour and a reset.

import { api, ApiError } from "./api.js";
import { el, format } from "./dom.js";
import { isBotLink } from "./links.js";
import { preview, renderMessage } from "./messages.js";
import { dayKey, hhmm, monthDay, offsetOf, wallClock } from "./time.js";

const LANGUAGES = ["zh_CN", "en"];
const AVATAR_COLOURS = ["#e17076", "#7bc862", "#65aadd", "#a695e7", "#ee7aae", "#6ec9cb", "#faa774"];

const $ = (id) => document.getElementById(id);

const page = {
  t: null,
  language: "zh_CN",
  bot: { username: "", name: "" },
  cast: [],
  groups: [],
  clock: { now: "", offset: 0, shift: 0, base: null, fetchedAt: 0 },
  me: null,
  chatId: null,
  chats: new Map(), // chat id → the last GET /api/chats answer for the person shown
  unread: new Set(),
  nodes: new Map(), // message id → { key, node } of the open chat
  events: null,
  stick: true, // the open chat is scrolled to its end and follows new messages
  generation: 0, // bumped when the person changes: answers for an earlier person are dropped
  loads: new Map(), // chat id → number of the latest request, so that a slower, older answer is dropped
};

async function loadStrings(language) {
  const response = await fetch(`static/i18n/${language}.json`);
  return response.json();
}

function avatar(name, id) {
  const colour = AVATAR_COLOURS[Math.abs(Number(id)) % AVATAR_COLOURS.length];
  return el("span", { class: "avatar", style: `background: ${colour}`, "aria-hidden": "true" }, (name || "?").slice(0, 1));
}

// ---- feedback ---------------------------------------------------------------------------------------

let toastTimer = null;

function toast(text) {
  const box = $("toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { box.hidden = true; }, 3000);
}

/** A modal with ``content`` and buttons; resolves with the chosen button's value (null when dismissed). */
function ask(content, buttons) {
  const dialog = $("dialog");
  return new Promise((resolve) => {
    const done = (value) => {
      dialog.close();
      resolve(value);
    };
    dialog.replaceChildren(
      ...content,
      el("div", { class: "actions" }, buttons.map(([label, value, kind]) =>
        el("button", { type: "button", class: kind || "", onclick: () => done(value) }, label))),
    );
    dialog.onclose = () => resolve(null);
    dialog.showModal();
  });
}

function failed(error) {
  const t = page.t;
  toast(error instanceof ApiError ? format(t.errors.server, { message: error.message }) : t.errors.network);
}

// ---- who is looking -----------------------------------------------------------------------------------

function chatIdsOf(person) {
  return [person.id, ...page.groups.map((group) => group.id)];
}

function titleOf(chatId) {
  if (page.me && chatId === page.me.id) return page.bot.name || page.bot.username;
  return page.groups.find((group) => group.id === chatId)?.title ?? String(chatId);
}

function remember() {
  const hash = page.chatId !== null && isChatView() ? `#${page.me.id}/${page.chatId}` : `#${page.me.id}`;
  history.replaceState(null, "", hash);
}

function isWide() {
  return matchMedia("(min-width: 760px)").matches;
}

/** Whether chat ``chatId`` is the one open and in view (on a phone the list may be showing instead). */
function isOnScreen(chatId) {
  return chatId === page.chatId && (isChatView() || isWide());
}

function isChatView() {
  return $("layout").dataset.view === "chat";
}

function renderCast() {
  const t = page.t;
  $("cast").replaceChildren(...page.cast.map((person) => el("button", {
    type: "button",
    role: "tab",
    "data-person": person.id,
    "aria-selected": String(page.me?.id === person.id),
    title: `${person.name} · ${t.kinds[person.kind] ?? person.kind}`,
    onclick: () => choosePerson(person.id),
  }, avatar(person.name, person.id), el("span", { class: "who" }, el("b", {}, person.name), el("small", {}, t.kinds[person.kind] ?? person.kind)))));
}

async function choosePerson(personId, chatId = null) {
  const person = page.cast.find((member) => member.id === personId);
  if (!person) return;
  page.me = person;
  page.generation += 1;
  page.chats.clear();
  page.unread.clear();
  page.nodes.clear();
  page.chatId = null;
  $("thread").replaceChildren();
  delete $("chat").dataset.loaded;
  renderCast();
  listen();
  renderList();
  if (chatId !== null || isWide()) await openChat(chatId ?? person.id);
  else showList();
  await Promise.all(chatIdsOf(person).filter((id) => id !== page.chatId).map((id) => load(id)));
}

// ---- live updates -----------------------------------------------------------------------------------

function listen() {
  page.events?.close();
  const source = api.events(page.me.id);
  const generation = page.generation;
  source.onmessage = (event) => {
    if (generation !== page.generation) return;
    let change;
    try {
      change = JSON.parse(event.data);
    } catch {
      return;
    }
    const chatId = Number(change.chat_id);
    if (!chatIdsOf(page.me).includes(chatId)) return;
    load(chatId, { changed: true });
  };
  source.onopen = () => {
    // (Re)connected: whatever changed while the connection was down is fetched again.
    if (generation === page.generation) for (const id of chatIdsOf(page.me)) load(id);
  };
  page.events = source;
}

/** Fetch a chat again; with ``changed`` (an event said so), a new last message off screen marks it unread. */
async function load(chatId, { changed = false } = {}) {
  const generation = page.generation;
  const number = (page.loads.get(chatId) ?? 0) + 1;
  page.loads.set(chatId, number);
  let data;
  try {
    data = await api.chat(chatId, page.me.id);
  } catch (error) {
    if (generation === page.generation && chatId === page.chatId) failed(error);
    return;
  }
  if (generation !== page.generation || page.loads.get(chatId) !== number) return;
  const previous = page.chats.get(chatId);
  if (changed && previous && !isOnScreen(chatId)) {
    const last = (messages) => JSON.stringify(messages.at(-1) ?? null);
    if (last(previous.messages) !== last(data.messages)) page.unread.add(chatId);
  }
  page.chats.set(chatId, data);
  renderList();
  if (chatId === page.chatId) renderChat();
}

// ---- the chat list ----------------------------------------------------------------------------------

function renderList() {
  const t = page.t;
  $("chats").replaceChildren(...chatIdsOf(page.me).map((chatId) => {
    const data = page.chats.get(chatId);
    const last = data?.messages?.at(-1);
    const wall = last ? wallClock(last.date, page.clock.offset) : null;
    const title = titleOf(chatId);
    const lastLine = last ? preview(t, last) : (data ? t.list.empty : "…");
    return el("li", {},
      el("button", {
        type: "button",
        "data-chat": chatId,
        "aria-current": chatId === page.chatId ? "true" : null,
        onclick: () => openChat(chatId),
      },
      avatar(title, chatId),
      el("span", { class: "summary" },
        el("span", { class: "line" }, el("b", {}, title), el("time", {}, hhmm(wall))),
        el("span", { class: "line" },
          el("small", {}, chatId === page.me.id ? "" : "👥 ", lastLine),
          page.unread.has(chatId) ? el("span", { class: "dot", "aria-label": t.list.unread }) : null))));
  }));
}

function showList() {
  $("layout").dataset.view = "list";
  remember();
}

// ---- the open chat ----------------------------------------------------------------------------------

function actions(chat) {
  return {
    t: page.t,
    me: page.me,
    bot: page.bot,
    chat,
    press: (message, data) => press(chat.id, message, data),
    copy,
    send,
    openLink,
    sendTo,
    answerPoll: (message, optionIds) => answerPoll(chat.id, message, optionIds),
  };
}

async function openChat(chatId) {
  if (page.chatId !== chatId) {
    page.chatId = chatId;
    page.nodes.clear();
    $("thread").replaceChildren();
    delete $("chat").dataset.loaded;
    $("reply-keyboard").hidden = true; // the keyboard and the menu of the chat left behind go with it
    $("commands").replaceChildren();
    page.stick = true;
  }
  page.unread.delete(chatId);
  $("layout").dataset.view = "chat";
  $("chat").dataset.chat = chatId;
  $("chat-title").replaceChildren(avatar(titleOf(chatId), chatId), el("span", {},
    el("b", {}, titleOf(chatId)),
    el("small", {}, chatId === page.me.id ? format(page.t.chat.private_with, { name: page.me.name }) : page.t.chat.group)));
  closeMenu();
  remember();
  renderList();
  if (page.chats.has(chatId)) renderChat();
  await load(chatId);
}

function renderChat() {
  const data = page.chats.get(page.chatId);
  if (!data) return;
  const ctx = actions(data.chat);
  const box = $("messages");
  const thread = $("thread");
  const seen = new Set();
  const children = [];
  let day = null;
  for (const message of data.messages) {
    const wall = wallClock(message.date, page.clock.offset);
    const key = dayKey(wall);
    if (key !== day) {
      day = key;
      children.push(el("div", { class: "day" }, el("span", {}, monthDay(wall))));
    }
    const signature = JSON.stringify([message, page.me.id, page.language]);
    let entry = page.nodes.get(message.message_id);
    if (!entry || entry.key !== signature) {
      entry = { key: signature, node: renderMessage(ctx, message, wall) };
      page.nodes.set(message.message_id, entry);
    }
    seen.add(message.message_id);
    children.push(entry.node);
  }
  for (const id of [...page.nodes.keys()]) if (!seen.has(id)) page.nodes.delete(id); // deleted messages go
  if (!children.length) children.push(el("p", { class: "empty hint" }, page.t.chat.empty));
  const before = thread.lastElementChild;
  thread.replaceChildren(...children);
  if (page.stick || thread.lastElementChild !== before) {
    page.stick = true;
    box.scrollTop = box.scrollHeight;
  }
  renderReplyKeyboard(data);
  renderCommands(data);
  $("chat").dataset.loaded = String(page.chatId);
}

function renderReplyKeyboard(data) {
  const keyboard = data.reply_keyboard;
  const box = $("reply-keyboard");
  const input = $("text");
  input.placeholder = keyboard?.placeholder || page.t.composer.placeholder;
  if (!keyboard?.keyboard?.length) {
    box.replaceChildren();
    box.hidden = true;
    return;
  }
  box.hidden = false;
  box.replaceChildren(...keyboard.keyboard.map((row) => el("div", { class: "row" }, row.map((button) => {
    const text = typeof button === "string" ? button : button.text;
    let onclick = () => send(text);
    let kind = null;
    if (button.request_contact) {
      onclick = () => shareContact();
      kind = "contact";
    } else if (button.request_location) {
      onclick = () => shareLocation();
      kind = "location";
    }
    return el("button", { type: "button", "data-request": kind, onclick }, text);
  }))));
}

function renderCommands(data) {
  const commands = data.commands || [];
  $("menu").hidden = commands.length === 0;
  $("commands").replaceChildren(...commands.map((command) => el("li", {},
    el("button", { type: "button", "data-command": command.command, onclick: () => { closeMenu(); send(`/${command.command}`); } },
      el("b", {}, `/${command.command}`), el("span", {}, command.description)))));
}

function closeMenu() {
  $("commands").hidden = true;
  $("menu").setAttribute("aria-expanded", "false");
}

// ---- what a person does -----------------------------------------------------------------------------

async function send(text) {
  if (!text.trim() || page.chatId === null) return;
  const chatId = page.chatId;
  try {
    await api.post("send", { as: page.me.id, chat_id: chatId, text });
  } catch (error) {
    failed(error);
    return;
  }
  load(chatId);
}

async function press(chatId, message, callbackData) {
  let answer;
  try {
    answer = await api.post("press", { as: page.me.id, chat_id: chatId, message_id: message.message_id, callback_data: callbackData });
  } catch (error) {
    failed(error);
    return;
  }
  if (answer.toast) {
    if (answer.alert) await ask([el("p", { class: "alert" }, answer.toast)], [[page.t.ok, true]]);
    else toast(answer.toast);
  }
  load(chatId);
}

async function copy(text) {
  let copied = false;
  try {
    await navigator.clipboard.writeText(text);
    copied = true;
  } catch {
    const area = el("textarea", { readonly: true, class: "offscreen" });
    area.value = text;
    document.body.append(area);
    area.select();
    copied = document.execCommand("copy");
    area.remove();
  }
  toast(copied ? page.t.copied : page.t.errors.copy);
}

async function openLink(url) {
  if (!isBotLink(url, page.bot.username)) {
    window.open(url, "_blank", "noopener");
    return;
  }
  await openAs(page.me.id, url);
}

/** Open the bot's link ``url`` as cast member ``personId``: their private chat, with /start sent. */
async function openAs(personId, url) {
  let result;
  try {
    result = await api.post("open", { as: personId, url });
  } catch (error) {
    failed(error);
    return;
  }
  const chatId = Number(result.chat_id ?? personId);
  if (personId !== page.me.id) await choosePerson(personId, chatId);
  else await openChat(chatId);
}

async function sendTo(url) {
  const t = page.t;
  const others = page.cast.filter((person) => person.id !== page.me.id);
  const chosen = await ask(
    [el("h2", {}, t.links.send_to_title), el("p", { class: "hint" }, t.links.send_to_hint)],
    [...others.map((person) => [`${person.name} · ${t.kinds[person.kind] ?? person.kind}`, person.id, "person"]), [t.cancel, null, "secondary"]],
  );
  if (chosen === null || chosen === undefined) return;
  const person = page.cast.find((member) => member.id === chosen);
  toast(format(t.links.sent_to, { name: person.name }));
  await openAs(chosen, url);
}

async function answerPoll(chatId, message, optionIds) {
  try {
    await api.post("poll", { as: page.me.id, chat_id: chatId, message_id: message.message_id, option_ids: optionIds });
  } catch (error) {
    failed(error);
    return;
  }
  load(chatId);
}

async function shareContact() {
  try {
    await api.post("contact", { as: page.me.id });
  } catch (error) {
    failed(error);
    return;
  }
  load(page.me.id);
}

async function shareLocation() {
  const chatId = page.chatId;
  try {
    await api.post("location", { as: page.me.id, chat_id: chatId });
  } catch (error) {
    failed(error);
    return;
  }
  load(chatId);
}

// ---- the clock, the tour, reset ---------------------------------------------------------------------

function setClock(now, offsetMinutes) {
  page.clock.now = now;
  page.clock.offset = offsetOf(now);
  page.clock.base = wallClock(now, page.clock.offset);
  page.clock.fetchedAt = Date.now();
  if (offsetMinutes !== undefined) page.clock.shift = offsetMinutes;
  renderClock();
}

function renderClock() {
  const t = page.t;
  if (!page.clock.base) return;
  const wall = new Date(page.clock.base.getTime() + (Date.now() - page.clock.fetchedAt));
  const weekday = t.clock.weekdays[wall.getUTCDay()];
  $("clock-now").textContent = `${monthDay(wall)} ${weekday} ${hhmm(wall)}`;
  $("clock-now").dataset.now = page.clock.now;
  const shift = page.clock.shift || 0;
  const hours = Math.round(shift / 6) / 10; // to a tenth of an hour
  $("clock-shift").textContent = hours > 0 ? format(t.clock.ahead, { hours: String(hours) }) : "";
}

async function moveClock(body, button) {
  button.disabled = true;
  try {
    const answer = await api.post("clock", { as: page.me.id, ...body });
    const state = await api.state().catch(() => null);
    setClock(answer.now, state?.clock?.offset_minutes);
    toast(format(page.t.clock.moved, { now: $("clock-now").textContent }));
  } catch (error) {
    if (body.to === "checkin" && error instanceof ApiError && error.status === 400) toast(page.t.clock.no_shift);
    else failed(error);
  } finally {
    button.disabled = false;
  }
}

async function tour(button) {
  button.disabled = true;
  toast(page.t.tour.running);
  try {
    await api.post("tour", { as: page.me.id });
    toast(page.t.tour.done);
  } catch (error) {
    failed(error);
  } finally {
    button.disabled = false;
  }
  await refreshEverything();
}

async function reset() {
  const t = page.t;
  const sure = await ask([el("h2", {}, t.reset.title), el("p", {}, t.reset.question)],
    [[t.reset.confirm, true, "danger"], [t.cancel, false, "secondary"]]);
  if (!sure) return;
  try {
    await api.post("reset", { as: page.me.id });
    toast(t.reset.done);
  } catch (error) {
    failed(error);
  }
  await refreshEverything();
}

async function refreshEverything() {
  await readState();
  const chatId = isChatView() || isWide() ? page.chatId : null;
  await choosePerson(page.me.id, chatId);
}

async function readState() {
  const state = await api.state();
  page.bot = state.bot;
  page.cast = state.cast;
  page.groups = state.groups;
  setClock(state.clock.now, state.clock.offset_minutes);
}

// ---- page furniture ---------------------------------------------------------------------------------

function renderStatic() {
  const t = page.t;
  document.documentElement.lang = page.language === "en" ? "en" : "zh-CN";
  document.title = t.title;
  $("title").textContent = t.title;
  $("banner").textContent = t.banner;
  $("to-checkin").textContent = t.clock.checkin;
  $("to-tomorrow").textContent = t.clock.tomorrow;
  $("plus-hour").textContent = t.clock.hour;
  $("clock-label").textContent = t.clock.label;
  $("tour").textContent = t.tour.button;
  $("reset").textContent = t.reset.button;
  $("language").textContent = t.language;
  $("back").setAttribute("aria-label", t.chat.back);
  $("menu").setAttribute("aria-label", t.composer.menu);
  $("send").textContent = t.composer.send;
  $("send").setAttribute("aria-label", t.composer.send);
  $("chats").setAttribute("aria-label", t.list.label);
  $("cast").setAttribute("aria-label", t.cast);
}

async function switchLanguage() {
  const next = LANGUAGES[(LANGUAGES.indexOf(page.language) + 1) % LANGUAGES.length];
  page.t = await loadStrings(next);
  page.language = next;
  localStorage.setItem("playground.language", next);
  renderStatic();
  renderCast();
  renderClock();
  renderList();
  if (page.chatId !== null) {
    const listShown = !isChatView();
    page.nodes.clear(); // every bubble again, in the new language
    await openChat(page.chatId);
    if (listShown) showList();
  }
}

function wire() {
  $("to-checkin").addEventListener("click", (event) => moveClock({ to: "checkin" }, event.currentTarget));
  $("to-tomorrow").addEventListener("click", (event) => moveClock({ to: "tomorrow_0900" }, event.currentTarget));
  $("plus-hour").addEventListener("click", (event) => moveClock({ to: "minutes", minutes: 60 }, event.currentTarget));
  $("tour").addEventListener("click", (event) => tour(event.currentTarget));
  $("reset").addEventListener("click", () => reset());
  $("language").addEventListener("click", () => switchLanguage());
  $("back").addEventListener("click", () => showList());
  $("menu").addEventListener("click", () => {
    const list = $("commands");
    list.hidden = !list.hidden;
    $("menu").setAttribute("aria-expanded", String(!list.hidden));
  });
  const input = $("text");
  const submit = () => {
    const text = input.value;
    if (!text.trim()) return;
    input.value = "";
    send(text);
  };
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  });
  // The chat stays scrolled to its end while one is there (pictures that load later make it taller).
  const box = $("messages");
  box.addEventListener("scroll", () => { page.stick = box.scrollHeight - box.scrollTop - box.clientHeight < 40; });
  new ResizeObserver(() => { if (page.stick) box.scrollTop = box.scrollHeight; }).observe($("thread"));
  setInterval(renderClock, 15000);
  setInterval(() => readState().catch(() => {}), 60000);
}

async function start() {
  const asked = new URLSearchParams(location.search).get("lang");
  const stored = localStorage.getItem("playground.language");
  page.language = LANGUAGES.includes(asked) ? asked : (LANGUAGES.includes(stored) ? stored : "zh_CN");
  page.t = await loadStrings(page.language);
  renderStatic();
  wire();
  try {
    await readState();
  } catch (error) {
    $("thread").replaceChildren(el("p", { class: "error" }, page.t.errors.start));
    return;
  }
  const [personPart, chatPart] = location.hash.slice(1).split("/");
  const person = page.cast.find((member) => String(member.id) === personPart) ?? page.cast[0];
  const chatId = chatPart !== undefined && chatIdsOf(person).includes(Number(chatPart)) ? Number(chatPart) : null;
  await choosePerson(person.id, chatId);
  document.body.dataset.ready = "true";
}

start();
