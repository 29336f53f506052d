"""Attendance texts, translated: shared by the handlers, the scheduled work and the outbox (keyboards:
``keyboards.py``)."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.attendance.calendar import DayPlan, OfficialHoliday, PlanKind, YearSource
from bot.attendance.models import AttendanceRequest, Punch, RequestKind, RequestStatus, Shift
from bot.attendance.reports import DayReport, Entry, Mark, ShiftDay
from bot.attendance.schedule import Occurrence, ShiftLike, format_clock, format_weekdays
from bot.attendance.service import Notice, NoticeKind
from bot.i18n import N_, Translate
from bot.people.models import Person

WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
HOLIDAYS = {
    "New Year's Day": N_("New Year's Day"),
    "Spring Festival": N_("Spring Festival"),
    "Tomb-sweeping Day": N_("Tomb-sweeping Day"),
    "Labour Day": N_("Labour Day"),
    "Dragon Boat Festival": N_("Dragon Boat Festival"),
    "National Day": N_("National Day"),
    "Mid-autumn Festival": N_("Mid-autumn Festival"),
    "Anti-Fascist 70th Day": N_("Anti-Fascist 70th Day"),
}
MARK_ICONS = {
    Mark.ON_TIME: "✅",
    Mark.LATE: "⏰",
    Mark.ABSENT: "❌",
    Mark.LEAVE: "🌴",
    Mark.WAITING: "⌛",
    Mark.UPCOMING: "🕒",
    Mark.NO_RECORD: "❔",
}
MARK_NAMES = {
    Mark.ON_TIME: N_("on time"),
    Mark.LATE: N_("late"),
    Mark.ABSENT: N_("absent"),
    Mark.LEAVE: N_("on leave"),
    Mark.WAITING: N_("not checked in yet"),
    Mark.UPCOMING: N_("not started"),
    Mark.NO_RECORD: N_("no record"),
}
REQUEST_KINDS = {
    RequestKind.LEAVE: N_("Leave"),
    RequestKind.SWAP: N_("Shift swap"),
    RequestKind.CORRECTION: N_("Missed punch correction"),
}
REQUEST_STATES = {
    RequestStatus.AWAITING_COLLEAGUE: N_("waiting for the colleague"),
    RequestStatus.PENDING: N_("waiting for an admin"),
    RequestStatus.APPROVED: N_("approved"),
    RequestStatus.REJECTED: N_("rejected"),
    RequestStatus.DECLINED: N_("declined by the colleague"),
    RequestStatus.CANCELLED: N_("cancelled"),
}
MAX_NAMES = 40


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def clock(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%H:%M")


def day_label(_: Translate, day: date) -> str:
    """``10-09 Thu`` (``10-09 周四``)."""
    return f"{day:%m-%d} {_(WEEKDAYS[day.isoweekday() - 1])}"


def weekday_name(_: Translate, weekday: int) -> str:
    return _(WEEKDAYS[weekday - 1])


def weekdays_label(_: Translate, weekdays: str) -> str:
    """``1-5`` as ``Mon–Fri``, ``1234567`` as ``every day``."""
    if weekdays == "1234567":
        return _("every day")
    parts = []
    for part in format_weekdays(weekdays).split(","):
        if "-" in part:
            first, last = part.split("-")
            parts.append(f"{weekday_name(_, int(first))}–{weekday_name(_, int(last))}")
        else:
            parts.append(weekday_name(_, int(part)))
    return ", ".join(parts)


def hours(shift: ShiftLike) -> str:
    """``08:30–17:00``; a night shift shows its end as the next day's time."""
    end = format_clock(shift.end_minute)
    return f"{format_clock(shift.start_minute)}–{end}"


def shift_line(_: Translate, shift: ShiftLike) -> str:
    """``早班 08:30–17:00 · Mon–Fri``, and ``· 🎌 public holidays too`` for a shift that runs on them."""
    night = " 🌙" if shift.end_minute <= shift.start_minute else ""
    line = f"{esc(shift.name)} {hours(shift)}{night} · {weekdays_label(_, shift.weekdays)}"
    return line + (" · " + _("🎌 public holidays too") if shift.on_holidays else "")


def shift_details(_: Translate, shift: Shift) -> str:
    return _(
        "Check-in opens {window} min before the start, counts as late after {grace} min and closes {close} "
        "min after the start.",
        window=shift.window_minutes,
        grace=shift.grace_minutes,
        close=shift.close_minutes,
    )


def holiday_name(_: Translate, name: str | None) -> str:
    """A statutory holiday's name: the package's translated, an admin's as entered (escaped)."""
    if name in HOLIDAYS:
        return _(HOLIDAYS[name])
    return esc(name or "")


def plan_label(_: Translate, plan: DayPlan) -> str | None:
    """Why a day is special, or None for an ordinary day."""
    holiday = holiday_name(_, plan.holiday)
    if plan.kind == PlanKind.HOLIDAY:
        return _("public holiday: {name}", name=holiday) if holiday else _("public holiday")
    if plan.kind == PlanKind.MAKEUP:
        weekday = weekday_name(_, plan.weekday or 1)
        if not holiday:
            return _("make-up workday, {weekday} shifts", weekday=weekday)
        return _("make-up workday ({name}), {weekday} shifts", name=holiday, weekday=weekday)
    if plan.kind == PlanKind.OFF:
        return _("day off (set by an admin)")
    if plan.kind == PlanKind.WORK:
        return _("workday (set by an admin), {weekday} shifts", weekday=weekday_name(_, plan.weekday or 1))
    return None


def notice_text(_: Translate, notice: Notice, tz: ZoneInfo) -> str:
    """The message a scheduled notice becomes (its button: ``outbox``)."""
    occ, name = notice.occ, esc(notice.shift_name)
    fields = {
        "shift": name,
        "day": day_label(_, occ.work_date),
        "start": clock(occ.starts_at, tz),
        "end": clock(occ.ends_at, tz),
        "late": clock(occ.late_after, tz),
        "close": clock(occ.closes_at, tz),
        "date": occ.work_date.isoformat(),
    }
    if notice.kind == NoticeKind.WINDOW_OPEN:
        return _(
            "⏰ Your shift {shift} starts at {start} today (until {end}). Check-in is open now: tap the button "
            "below. After {late} it counts as late.",
            **fields,
        )
    if notice.kind == NoticeKind.SHIFT_START:
        return _(
            "⏰ {shift} started at {start} and you have not checked in. Check in now: after {late} it counts "
            "as late, and check-in closes at {close}.",
            **fields,
        )
    if notice.kind == NoticeKind.ABSENT:
        return _(
            "❌ You did not check in for {shift} on {day} ({start}–{end}), so you are recorded as absent. If "
            "you were at work, ask for a correction, for example: /correct {date} in {start} reason",
            **fields,
        )
    if notice.kind == NoticeKind.CHECKOUT_REMINDER:
        return _("👋 {shift} ended at {end}. Don't forget to check out.", **fields)
    return _(
        "You did not check out of {shift} on {day}, so the record was closed and flagged. If you know when "
        "you left, ask for a correction, for example: /correct {date} out {end} reason",
        **fields,
    )


def unknown_year_warning(_: Translate, year: int) -> str:
    """Nobody knows the official holidays of ``year``: how to enter them."""
    return _(
        "⚠️ The official holidays of {year} are not known yet, so every Monday to Friday counts as a workday. "
        "Once the State Council publishes them, enter them in one step, for example:\n"
        "/holidays {year} 元旦 01-01..01-03; 春节 02-06..02-12 workdays 02-14,02-20",
        year=year,
    )


def year_note(_: Translate, year: int, source: YearSource, entered: bool) -> str | None:
    """Where the holidays of ``year`` come from, when it is worth saying."""
    if source == YearSource.UNKNOWN:
        return unknown_year_warning(_, year)
    if source == YearSource.ENTERED:
        return _(
            "ℹ️ {year}: the official holidays entered with /holidays apply, as the chinesecalendar package "
            "does not know the year yet; once it does, its data wins.",
            year=year,
        )
    if entered:
        return _(
            "ℹ️ {year}: the chinesecalendar package knows this year, so its data applies and the holidays "
            "entered with /holidays are not used.",
            year=year,
        )
    return None


def _spans(_: Translate, days: Sequence[date]) -> str:
    """Days as runs: ``02-06 Sat – 02-12 Fri, 02-15 Mon``."""
    runs: list[list[date]] = []
    for day in sorted(days):
        if runs and (day - runs[-1][-1]).days == 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return ", ".join(
        day_label(_, run[0]) + (f" – {day_label(_, run[-1])}" if len(run) > 1 else "") for run in runs
    )


def holidays_text(_: Translate, year: int, holidays: Sequence[OfficialHoliday], source: YearSource) -> str:
    """An entered official schedule, a line a holiday, and whether it applies."""
    lines = ["<b>" + _("📅 Official holidays of {year}, as entered", year=year) + "</b>"]
    for holiday in holidays:
        name = holiday_name(_, holiday.name) or _("public holiday")
        line = f"• {name}: {_spans(_, holiday.days)}"
        if holiday.workdays:
            line += "; " + _("make-up workdays: {days}", days=_spans(_, holiday.workdays))
        lines.append(line)
    note = year_note(_, year, source, entered=True)
    if note:
        lines += ["", note]
    lines += [
        "",
        _(
            "Your /dayoff and /workday changes win over these days. Remove them: /holidays {year} clear",
            year=year,
        ),
    ]
    return "\n".join(lines)


def occ_fields(_: Translate, occ: Occurrence, tz: ZoneInfo) -> dict[str, str]:
    return {
        "shift": esc(occ.shift.name),
        "day": day_label(_, occ.work_date),
        "date": occ.work_date.isoformat(),
        "opens": clock(occ.opens_at, tz),
        "start": clock(occ.starts_at, tz),
        "end": clock(occ.ends_at, tz),
        "close": clock(occ.closes_at, tz),
    }


# --- reports -------------------------------------------------------------------------------------


def _names(entries: Iterable[Entry], detail: str | None = None) -> str:
    parts = []
    for entry in entries:
        name = esc(entry.person.display_name)
        if detail == "late":
            name += f" ({entry.late_minutes}′)"
        elif detail == "early":
            name += f" ({entry.early_minutes}′)"
        parts.append(name)
    if len(parts) > MAX_NAMES:
        parts = [*parts[:MAX_NAMES], f"… +{len(parts) - MAX_NAMES}"]
    return ", ".join(parts)


def shift_day_block(_: Translate, group: ShiftDay, tz: ZoneInfo, *, with_day: bool = False) -> str:
    """One shift on one day: counts, then who was late, absent, on leave..."""
    occ = group.occ
    title = f"<b>{esc(occ.shift.name)}</b> {clock(occ.starts_at, tz)}–{clock(occ.ends_at, tz)}"
    if with_day:
        title = f"{day_label(_, occ.work_date)} · {title}"
    counts = {mark: len(group.with_mark(mark)) for mark in Mark}
    summary = _(
        "{total} people: {on_time} on time, {late} late, {absent} absent, {leave} on leave",
        total=len(group.entries),
        on_time=counts[Mark.ON_TIME],
        late=counts[Mark.LATE],
        absent=counts[Mark.ABSENT] + counts[Mark.NO_RECORD],
        leave=counts[Mark.LEAVE],
    )
    lines = [title, summary]
    rows = (
        (Mark.LATE, _("⏰ Late: {names}"), "late"),
        (Mark.ABSENT, _("❌ Absent: {names}"), None),
        (Mark.NO_RECORD, _("❔ No record: {names}"), None),
        (Mark.WAITING, _("⌛ Not checked in yet: {names}"), None),
        (Mark.LEAVE, _("🌴 On leave: {names}"), None),
        (Mark.UPCOMING, _("🕒 Expected: {names}"), None),
    )
    for mark, template, detail in rows:
        entries = group.with_mark(mark)
        if entries:
            lines.append(template.format(names=_names(entries, detail)))
    early = [e for e in group.entries if e.left_early]
    if early:
        lines.append(_("🏃 Left early: {names}").format(names=_names(early, "early")))
    missing = [e for e in group.entries if e.checkout_missing]
    if missing:
        lines.append(_("❓ No check-out: {names}").format(names=_names(missing)))
    return "\n".join(lines)


def day_report_text(_: Translate, report: DayReport, tz: ZoneInfo) -> str:
    day = report.day.isoformat() + " " + weekday_name(_, report.day.isoweekday())
    header = _("📋 Attendance on {day}", day=day)
    lines = [f"<b>{header}</b>"]
    label = plan_label(_, report.plan)
    if label:
        lines.append(label)
    if not report.shifts:
        lines.append(_("No shifts on this day."))
    for group in report.shifts:
        lines.append("")
        lines.append(shift_day_block(_, group, tz))
    return "\n".join(lines)


def summary_text(
    _: Translate,
    groups: list[ShiftDay],
    now: datetime,
    tz: ZoneInfo,
    pending: int,
    unknown_years: Sequence[int] = (),
) -> str:
    """The daily summary; ``unknown_years`` are warned about (their official holidays are not known)."""
    header = _("📋 Daily attendance summary, {when}", when=now.astimezone(tz).strftime("%Y-%m-%d %H:%M"))
    lines = [f"<b>{header}</b>"]
    if not groups:
        lines.append(_("No shifts in the last 24 hours."))
    for group in groups:
        lines.append("")
        lines.append(shift_day_block(_, group, tz, with_day=True))
    if pending:
        lines.append("")
        lines.append(_("📝 Requests waiting for a decision: {count} — /requests", count=pending))
    for year in unknown_years:
        lines += ["", unknown_year_warning(_, year)]
    return "\n".join(lines)


def entry_line(_: Translate, entry: Entry, occ: Occurrence, tz: ZoneInfo) -> str:
    """One of a person's own records: ``10-09 Thu 早班 ⏰ late 12 min · 08:42–17:05``."""
    parts = [f"{day_label(_, occ.work_date)} {esc(occ.shift.name)} {MARK_ICONS[entry.mark]}"]
    if entry.mark == Mark.LATE:
        parts.append(_("late {minutes} min", minutes=entry.late_minutes))
    else:
        parts.append(_(MARK_NAMES[entry.mark]))
    if entry.checkin_at:
        out = clock(entry.checkout_at, tz) if entry.checkout_at else "?"
        parts.append(f"· {clock(entry.checkin_at, tz)}–{out}")
    if entry.left_early:
        parts.append(_("· left {minutes} min early", minutes=entry.early_minutes))
    if entry.checkout_missing:
        parts.append(_("· no check-out"))
    if entry.corrected:
        parts.append(_("· corrected"))
    return " ".join(parts)


# --- requests ------------------------------------------------------------------------------------


def request_text(
    _: Translate,
    request: AttendanceRequest,
    person: Person,
    tz: ZoneInfo,
    *,
    colleague: Person | None = None,
    shift: Shift | None = None,
) -> str:
    """A request as admins (and the requester) see it."""
    kind = _(REQUEST_KINDS[RequestKind(request.kind)])
    who = esc(person.display_name)
    lines = [f"<b>{kind} #{request.id}</b> · {who}"]
    if request.kind == RequestKind.LEAVE:
        days = (request.end_date - request.start_date).days + 1
        span = day_label(_, request.start_date)
        if days > 1:
            span += f" – {day_label(_, request.end_date)}"
        lines.append(_("Dates: {span} ({days} days)", span=span, days=days))
    elif request.kind == RequestKind.SWAP:
        other = esc(colleague.display_name) if colleague else "?"
        shift_name = esc(shift.name) + " " + hours(shift) if shift else "?"
        lines.append(
            _(
                "{who} and {other} swap their shifts on {day} ({other} works {shift}).",
                who=who,
                other=other,
                day=day_label(_, request.start_date),
                shift=shift_name,
            )
        )
    else:
        punch = _("check-in") if request.punch == Punch.IN else _("check-out")
        when = request.punch_at.astimezone(tz).strftime("%m-%d %H:%M") if request.punch_at else "?"
        lines.append(
            _(
                "Missed {punch} on {day}, {shift}: at {when}.",
                punch=punch,
                day=day_label(_, request.start_date),
                shift=esc(shift.name) if shift else "?",
                when=when,
            )
        )
    if request.reason:
        lines.append(_("Reason: {reason}", reason=esc(request.reason)))
    lines.append(_("Status: {state}", state=_(REQUEST_STATES[RequestStatus(request.status)])))
    return "\n".join(lines)
