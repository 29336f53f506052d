"""Where every open form stands — each conversation's step and the answers so far — kept in the database, so
a restart, or the other instance after a failover, continues the form at the same step.

- ``models.py``: the two tables (conversation steps, answers so far per person);
- ``store.py``: plain async functions on a session (no ``telegram``);
- ``ptb.py``: python-telegram-bot's ``BasePersistence`` on those functions;
- ``handlers.py``: the two handler groups around everything else — before: the person's forms are read from
  the database; after: what the update changed is written.
"""
