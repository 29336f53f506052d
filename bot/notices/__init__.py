"""Admin notices: broadcasts to staff and village groups through the delivery outbox, with 收到 buttons,
acknowledgement lists, reminders to those who have not confirmed, scheduling and an audit per chat.

Files: ``models.py`` (notice, acknowledgement), ``audiences.py`` (who a notice can go to; other capabilities
add kinds to ``bot_data.notice_audiences``), ``service.py`` drafts, confirmation into a campaign, acks,
reminders, send times (no Telegram), ``buttons.py`` the typed callback data, ``scheduled.py`` the reminder job.
``handlers/``, one module per flow:

- ``draft.py`` — ``/notice`` and the conversation waiting for a notice's content or its send time;
- ``panel.py`` — the draft panel: audience, options, send or discard;
- ``progress.py`` — the sent notice's panel: progress, final report, ✖ Stop sending;
- ``lists.py`` — ``/notices``, a notice's details, who acknowledged it, its delivery report, 🔔 Remind now;
- ``acks.py`` — 收到 and ``/mynotices``; ``common.py`` what several flows share.

Entry points: ``handlers.handlers()``, ``handlers.add_commands(menus)``, ``handlers.setup(application)``;
``service.confirm(...)`` turns a draft into a delivery campaign.
"""
