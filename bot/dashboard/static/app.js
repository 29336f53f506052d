// The dashboard page: sign in with Telegram's launch data, then show the screens the person may see.

import { Api, ApiError } from "./api.js";
import { renderApplicants } from "./applicants.js";
import { el } from "./dom.js";
import { launch, launchLanguage } from "./telegram.js";
import { renderMonth } from "./month.js";
import { renderNotices } from "./notices.js";
import { renderQuestions } from "./questions.js";
import { renderRequests } from "./requests.js";
import { renderToday } from "./today.js";
import { renderTraining } from "./training.js";

const SCREENS = {
  today: { render: renderToday, roles: ["admin", "staff"] },
  month: { render: renderMonth, roles: ["admin", "staff"] },
  training: { render: renderTraining, roles: ["admin"] },
  requests: { render: renderRequests, roles: ["admin"] },
  questions: { render: renderQuestions, roles: ["admin"] },
  applicants: { render: renderApplicants, roles: ["admin"] },
  notices: { render: renderNotices, roles: ["admin", "staff"] },
};

async function strings(language) {
  const response = await fetch(`static/i18n/${language}.json`);
  return response.json();
}

async function start() {
  const telegram = launch();
  const screen = document.getElementById("screen");
  const api = new Api(telegram.initData);
  let t = await strings(launchLanguage(telegram.initData));
  let timer = null;
  let current = null;
  const ctx = {
    api,
    get t() { return t; },
    fail(error) {
      const text = error instanceof ApiError ? (t.errors[error.message] ?? t.errors.generic) : t.errors.generic;
      screen.replaceChildren(el("p", { class: "error" }, text));
    },
    // Draw screen ``name`` apart and show it only if it is still the one chosen when its data arrives.
    async refresh(name) {
      clearTimeout(timer);
      current = name;
      if (document.visibilityState === "hidden") {
        timer = setTimeout(() => ctx.refresh(name), 5000);
        return;
      }
      const view = el("div", { "data-screen": name });
      try {
        const next = await SCREENS[name].render(ctx, view);
        if (current !== name) return clearTimeout(next);
        timer = next;
        screen.replaceChildren(view);
      } catch (error) {
        if (current === name) ctx.fail(error);
      }
    },
  };
  if (!telegram.initData) {
    screen.replaceChildren(el("p", { class: "error" }, t.errors.init_data));
    return;
  }
  let me;
  try {
    me = await api.signIn();
  } catch (error) {
    ctx.fail(error);
    return;
  }
  ctx.me = me;
  t = await strings(me.language);
  document.documentElement.lang = me.language === "en" ? "en" : "zh-CN";
  document.getElementById("title").textContent = t.title;
  const tabs = document.getElementById("tabs");
  const names = Object.keys(SCREENS).filter((name) => SCREENS[name].roles.includes(me.role));
  const select = (name) => {
    for (const tab of tabs.children) tab.setAttribute("aria-selected", String(tab.dataset.screen === name));
    ctx.refresh(name);
  };
  tabs.replaceChildren(...names.map((name) => el("button", { role: "tab", "data-screen": name, onclick: () => select(name) }, t.tabs[name])));
  select(names[0]);
}

start();
