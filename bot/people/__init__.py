"""People: who writes to the bot, their roles and language, staff invites, the village groups the bot is in.

``models.py`` person, invite, group chat · ``service.py`` the domain logic (no Telegram) · ``directory.py``
who is who, kept in memory (``bot_data.people``) · ``buttons.py`` typed buttons · ``scheduled.py`` writes
"last seen" times every minute · ``handlers/``, one module per flow:

- ``identify.py`` — every update's sender recorded first (group -10), as ``context.person``;
- ``start.py`` — /start and /help: a greeting and the commands of the person's role;
- ``language.py`` — /lang; ``invites.py`` — /invite and its ``/start inv_…`` link;
- ``staff.py`` — /staff, a person's card, /promote /demote /removestaff;
- ``groups.py`` — the bot joining and leaving groups, /village, /groups.

Entry points: ``handlers.handlers()``, ``add_commands(menus)``, ``setup(application)``, ``identify_handler()``
in ``IDENTIFY_GROUP``; other capabilities use ``service`` (``get_person``, ``find_person``, ``list_people``,
``get_group``) and ``models.Role``.
"""
