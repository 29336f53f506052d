// Links inside messages: bare addresses become links (as Telegram's apps show them), the bot's own deep links
// (https://t.me/<bot>?start=…) are recognised so the page can open them as one of the cast.

import { el } from "./dom.js";

const ADDRESS = /https?:\/\/[^\s<>"'，。、！？；：（）【】「」]+/g;
const COMMAND = /(^|[\s(（：:，。；、“"'])(\/[A-Za-z][A-Za-z0-9_]{0,31})(?![\w/])/g;
const TRAILING = /[.,;:!?)\]}'"]+$/;
const SAFE_SCHEMES = new Set(["http:", "https:", "tg:", "mailto:", "tel:"]);

/** Whether ``href`` is a start (or startgroup) link of the bot called ``username``. */
export function isBotLink(href, username) {
  let url;
  try {
    url = new URL(href);
  } catch {
    return false;
  }
  const host = url.hostname.toLowerCase();
  if (host !== "t.me" && host !== "telegram.me") return false;
  const name = url.pathname.replace(/^\/+|\/+$/g, "");
  if (!username || name.toLowerCase() !== username.toLowerCase()) return false;
  return url.searchParams.has("start") || url.searchParams.has("startgroup");
}

function textNodes(root) {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
    acceptNode(node) {
      return node.parentElement?.closest("a, code, pre") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
    },
  });
  const nodes = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) nodes.push(node);
  return nodes;
}

/** Turn bare web addresses in ``root``'s text into links (outside links, code and preformatted text). */
export function linkify(root) {
  for (const node of textNodes(root)) {
    const text = node.data;
    const pieces = [];
    let last = 0;
    for (const match of text.matchAll(ADDRESS)) {
      const address = match[0].replace(TRAILING, "");
      pieces.push(text.slice(last, match.index), el("a", { href: address }, address));
      last = match.index + address.length;
    }
    if (last === 0) continue;
    pieces.push(text.slice(last));
    node.replaceWith(...pieces.filter((piece) => piece !== ""));
  }
}

/** Make the bot's ``/commands`` in ``root``'s text tappable, as Telegram's apps do: ``send`` sends one. */
export function commandLinks(root, send) {
  for (const node of textNodes(root)) {
    const text = node.data;
    const pieces = [];
    let last = 0;
    for (const match of text.matchAll(COMMAND)) {
      const start = match.index + match[1].length;
      const command = match[2];
      pieces.push(text.slice(last, start), el("button", { type: "button", class: "command", onclick: () => send(command) }, command));
      last = start + command.length;
    }
    if (last === 0) continue;
    pieces.push(text.slice(last));
    node.replaceWith(...pieces.filter((piece) => piece !== ""));
  }
}

/** A line break right inside a quote or a preformatted block's edge is shown by the block itself. */
export function tidyBlocks(root) {
  for (const block of root.querySelectorAll("blockquote, pre")) {
    const before = block.previousSibling;
    const after = block.nextSibling;
    if (before?.nodeType === Node.TEXT_NODE) before.data = before.data.replace(/\n$/, "");
    if (after?.nodeType === Node.TEXT_NODE) after.data = after.data.replace(/^\n/, "");
  }
}

/** Drop any link whose scheme a chat app would not open (the server sanitises; this is a second fence). */
export function fenceLinks(root) {
  for (const link of root.querySelectorAll("a[href]")) {
    let scheme = "";
    try {
      scheme = new URL(link.getAttribute("href"), location.href).protocol;
    } catch {
      /* unparsable: dropped below */
    }
    if (!SAFE_SCHEMES.has(scheme)) link.removeAttribute("href");
  }
}
