"""The delivery outbox: rate-limited, resumable sending of one message to many chats.

Used by notices (and by job announcements): a *campaign* is one payload to many chats, and every
(campaign, chat) pair is a ``Delivery`` row written before anything is sent.

    from bot.delivery import service
    from bot.delivery.payload import Button, Payload

    campaign = await service.create_campaign(
        session, "job", Payload(text="<b>招聘</b>…", parse_mode="HTML", buttons=((Button("报名", url=link),),)),
        [service.Target(group.chat_id, group.title) for group in groups],
        created_by_id=admin.id, ref=f"job:{job.id}", pin=True, send_after=None,
    )
    context.bot_data.sender.wake()                             # the running bot's Sender
    ...
    await service.edit_campaign_copies(session, campaign.id, Payload(text="已招满"))   # edits every copy
    await service.cancel_campaign(session, campaign.id); context.bot_data.sender.cancelled(campaign.id)
    counts = await service.campaign_counts(session, campaign.id)    # sent, failed, blocked, ...
    sender.listen("job", listener)                              # progress and the final report

Files: ``models.py`` (campaign, delivery), ``payload.py`` (what is sent, as plain data), ``service.py`` the
database side (no Telegram), ``sender.py`` the one task that sends, ``limiter.py`` the shared flood limiter
every request of the bot goes through (``TelegramRateLimiter``), ``scheduled.py`` starts the sender with the
application. ``build_application`` puts the sender on ``bot_data.sender``.

Exactly once, and the one exception: a row is claimed (committed ``sending``) right before its request and
marked ``sent`` right after Telegram's answer. After a crash the rows still ``sending`` are sent again and
flagged ``maybe_duplicate``: the outbox errs towards *at least once*. A chat can therefore get a second copy
only if the process died (or a read timed out) after Telegram accepted the message and before the row was
marked — the requests in flight at that instant — and the audit shows exactly which rows those were.
"""
