"""The knowledge base: answers from the training notes (Markdown files under ``knowledge/``).

A question (private text, ``/ask`` in a group, ``@bot …`` inline) is matched against the notes; the bot
answers with the best note, offers a few ("did you mean"), or says it does not know and alerts the admins,
whose answer goes back to the asker and can be saved as a new note (in the database, shared by every
instance of the bot: ``saved.py``).

    kb = context.bot_data.knowledge                     # the running bot's KnowledgeBase (service.py)
    result = kb.search("客户要推货怎么办", audience="staff")   # outcome: answer / suggest / unknown
    question = await service.log_question(session, ..., result=result)

Files: ``notes.py`` loads and validates the notes (``kb check``); ``search/`` the search engine, behind
``search/__init__.py``; ``render.py`` notes as Telegram HTML; ``models.py`` the question log and the saved
notes; ``saved.py`` notes saved from chat (the database, LISTEN/NOTIFY, import and export of files);
``scheduled.py`` the check for notes saved meanwhile on SQLite;
``service.py`` the KnowledgeBase, the question log, the admins' queue, statistics; ``alerts.py`` alerts to
admins through the delivery outbox; ``buttons.py`` typed button data; ``cli.py`` ``python -m bot kb``.
``handlers/``: ``ask.py`` questions, ``answers.py`` the buttons under answers, ``inline.py`` inline search,
``queue.py`` ``/unanswered`` and answering, ``admin.py`` ``/kbstats``, ``/reload``, loading at start.
"""
