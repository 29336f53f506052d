"""Attendance: shifts and who works them, the workplace calendar, check-in and out, leave, swap and correction
requests, reminders and reports.

    from bot.attendance import outbox, service
    result = await service.check_in(session, person.id, now, tz)   # the bot goes through bot_data.checkins
    done = await service.tick(session, now, tz, commit=False)        # the scheduler's work, once a minute,
    await outbox.queue_notices(session, done.notices, default_language="zh_CN", tz=tz)  # queued with it
    await session.commit()

Files: ``models.py``; ``schedule.py`` (shift times; reading times, dates, shifts); ``calendar.py`` (public
holidays: the package's, or a year's schedule entered by admins); ``service/`` the domain, no Telegram (see
its ``__init__``); ``outbox.py`` (what goes through the delivery outbox: reminders, the summary, the
outcome of requests); ``checkins.py`` (check-ins arriving together written together); ``reports.py``,
``export.py`` (reports, the workbook and chart); ``arguments.py`` (command arguments or ``UsageError``);
``buttons.py`` (callback data); ``render.py`` (texts); ``keyboards.py``; ``decisions.py`` (an admin's
decision with what it tells people, from chat or the dashboard); ``cards.py`` (a request's messages in the
admins' chats, settled once it is decided: Telegram glue the dashboard shares); ``audience.py`` (the notice
audience "staff of a shift"); ``scheduled.py`` (tick, daily summary, catch-up). ``handlers/``: ``location``
(waiting for a location after /checkin or /workplace), ``checkin`` (check-in and out), ``mine``
(/myshifts, /myattendance), ``requests`` (/leave, /swap, /correct, /myrequests), ``decisions``
(/requests, approve / reject), ``shifts``, ``staffing`` (/assign, /unassign), ``calendar`` (/dayoff,
/workday, /clearday, /holidays, /calendar), ``workplace``, ``reports``; ``common`` what they share.
"""
