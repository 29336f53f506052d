"""The manager's dashboard inside Telegram: a Mini App served by the bot's own web server (``bot.web``).

Screens: Today (every shift of the day, who is in, late, absent, on leave, not yet due; a person's week and
training), Month (per person, per shift, per day, the ``.xlsx``), Training (everyone's readiness, as
``/training`` reports it), Requests (approve / reject, as the chat's buttons do), Questions (answer, save as a
note, edit a note checked as ``kb check`` checks it), Applicants (each posting's pipeline), Notices (who
confirmed, remind now). Admins see all of them; staff see Today (with their own training progress, as
``/learn`` shows it), Month and Notices, each limited to themselves; nobody else sees anything.

Files: ``auth.py`` Telegram's ``initData`` check and the short-lived sessions (no Telegram library),
``service.py`` what the screens show and the changes they make, as JSON-ready data (other capabilities'
public functions; no Telegram), ``routes.py`` the page, the static files and the JSON API
with the role checked on every route, ``static/`` the page itself (plain HTML, CSS with Telegram's
``--tg-theme-*`` colours, one small ES module per screen, page strings per language in ``static/i18n/``).
``models.py`` the chats whose menu button is set (a start sets only what changed). ``handlers/``:
``opening.py`` — ``/dashboard`` with its inline button, and the chat menu button of staff and admins.

Entry points: ``handlers.handlers()``, ``handlers.add_commands(menus)``, ``handlers.setup(application)``;
``routes.add_routes(app, application)`` serves it from an aiohttp application.
"""
