// The bot's wall-clock time: the server gives local ISO times with their offset; the page shows them as the
// bot sees them, whatever the browser's own time zone.

const ISO = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)(?::(\d\d)(?:\.\d+)?)?(Z|[+-]\d\d:?\d\d)?$/;

/** Minutes east of UTC written at the end of ``iso`` (0 for ``Z`` or none). */
export function offsetOf(iso) {
  const match = ISO.exec(iso || "");
  if (!match || !match[7] || match[7] === "Z") return 0;
  const sign = match[7][0] === "-" ? -1 : 1;
  const digits = match[7].slice(1).replace(":", "");
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
}

/** The wall-clock moment of ``iso`` in a zone ``offset`` minutes east of UTC, as a Date read with getUTC*. */
export function wallClock(iso, offset) {
  const match = ISO.exec(iso || "");
  if (!match) return null;
  const [, year, month, day, hour, minute, second] = match;
  const written = Date.UTC(+year, +month - 1, +day, +hour, +minute, +(second || 0));
  if (!match[7]) return new Date(written); // no offset: already wall-clock time
  const utc = written - offsetOf(iso) * 60000;
  return new Date(utc + offset * 60000);
}

const pad = (n) => String(n).padStart(2, "0");

export function hhmm(wall) {
  return wall ? `${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}` : "";
}

export function dayKey(wall) {
  return wall ? `${wall.getUTCFullYear()}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}` : "";
}

export function monthDay(wall) {
  return wall ? `${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}` : "";
}
