// What Telegram gives the page: the signed launch data and the theme. Telegram's own script, when the page
// runs with it, fills window.Telegram.WebApp; without it the same data is in the address's #fragment.

function fromFragment() {
  const params = new URLSearchParams(location.hash.slice(1));
  let themeParams = {};
  try { themeParams = JSON.parse(params.get("tgWebAppThemeParams") || "{}"); } catch { /* no theme */ }
  return { initData: params.get("tgWebAppData") || "", themeParams, colorScheme: "light", ready() {}, expand() {} };
}

export function launch() {
  const app = window.Telegram?.WebApp ?? fromFragment();
  const root = document.documentElement.style;
  for (const [key, value] of Object.entries(app.themeParams || {})) {
    root.setProperty(`--tg-theme-${key.replaceAll("_", "-")}`, value);
  }
  document.documentElement.dataset.scheme = app.colorScheme || "light";
  app.ready?.();
  app.expand?.();
  return app;
}

export function launchLanguage(initData) {
  try {
    const user = JSON.parse(new URLSearchParams(initData).get("user") || "{}");
    return (user.language_code || "").toLowerCase().startsWith("en") ? "en" : "zh_CN";
  } catch {
    return "zh_CN";
  }
}
