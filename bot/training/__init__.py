"""Training: new staff learn the floor from the notes — a lesson a day, quizzes in the chat, spaced review,
and progress for managers.

    from bot.training import service
    await service.enrol(session, person, plan)                          # new staff: on becoming staff
    await service.start_due_lessons(session, catalog, office, now)     # the scheduler's work, every minute
    answer = await service.record_answer(session, catalog, office, poll_id=..., telegram_id=..., ...)

A *plan* (``knowledge/training/<id>.yaml``, read by ``bot.knowledge.notes.load_plans`` and checked by
``kb check``) is ordered days of notes; the notes carry quiz questions (``quiz:`` in their front matter). On
each of a person's working days, before their shift, the day's notes go out through the delivery outbox, one
message after the other, then the quiz as Telegram quiz polls; answers arrive as ``poll_answer`` updates. A
question answered wrong comes back for review, scheduled by FSRS; someone who has every day taught and every
question right in the end is ready for the floor, and the admins are told once.

Files: ``models.py`` (enrolment, lesson, quiz poll, review card); ``catalog.py`` (the plans over the loaded
notes); ``timing.py`` (when a lesson goes out: pure); ``review.py`` (FSRS: pure); ``service/`` the domain, no
Telegram (see its ``__init__``); ``export.py`` (the workbook); ``buttons.py`` (callback data);
``scheduled.py`` (the minute tick, the outbox listener, sending the polls). ``handlers/``: ``learn``
(/learn, /quiz), ``answers`` (poll answers), ``overview`` (/training, the workbook), ``learner`` (one
person: pause, plan, removal), ``enrolling`` (enrol staff); ``common`` what they share.

Entry points: ``handlers.handlers()``, ``handlers.add_commands(menus)``, ``handlers.setup(application)``
(which also enrols whoever becomes staff, through ``bot_data.became_staff``).
"""
