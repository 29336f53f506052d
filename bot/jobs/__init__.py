"""Jobs for the villages: admins write postings and announce them in the village groups; job seekers apply
in a private chat (the 我要报名 link of a group starts the form at once); admins follow up and hire.

Files: ``models.py`` (posting, application, alert subscription); ``service/`` the domain logic, no Telegram
(``input`` checks what people type, ``postings``, ``applications``, ``subscriptions``, ``privacy``);
``outbox.py`` everything sent through the delivery outbox (announcements and their edits, admins' alerts,
notices to applicants and subscribers); ``render.py`` texts; ``export.py`` the spreadsheet; ``buttons.py``
every button's callback data; ``scheduled.py`` the every-minute deadline tick.

``handlers/`` is the Telegram side, one module per flow:
``browse.py`` ``/jobs`` and a posting's details · ``application_form.py`` what ✍️ Apply / 我要报名 start ·
``mine.py`` ``/myapplications``, ``/jobalerts``, ``/forgetme`` · ``posting_form.py`` ``/newjob`` and ✏️ Edit ·
``postings.py`` ``/postings``, a posting's card, publishing · ``applicants.py`` ``/applicants``, an
applicant's card, hiring, export · ``common.py`` what several flows share.

Entry points (``bot.app``): ``handlers.deep_links()`` (before ``/start``), ``handlers.handlers()``,
``handlers.add_commands(menus)``, ``handlers.setup(application)``.
"""
