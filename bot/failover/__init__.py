"""Which instance works: one leader elected by PostgreSQL (:mod:`.leader`), a single process per SQLite
file (:mod:`.single`), and what that means for the running process (:mod:`.process`).

With PostgreSQL any number of instances may run on one database. In polling mode a standby waits for the
leadership before it builds and starts the application, so only the leader polls ``getUpdates``, runs the
JobQueue (reminders, summaries, deadlines, digests, purges, training) and sends the outbox; when elected it
starts exactly as a fresh process does, reading persisted state and catching up what fell due. With a
webhook every instance serves incoming updates and only the leader's scheduler runs. With SQLite there is
no election: the file lock refuses a second process.
"""

from bot.failover.leader import EXIT_LOST_LEADERSHIP, LeaderElection, is_postgresql
from bot.failover.single import DatabaseInUse, DatabaseLock, lock_database, sqlite_file

EXIT_DATABASE_IN_USE = 3
"""Exit status of a second process started on a SQLite database another process holds."""

__all__ = [
    "EXIT_DATABASE_IN_USE",
    "EXIT_LOST_LEADERSHIP",
    "DatabaseInUse",
    "DatabaseLock",
    "LeaderElection",
    "is_postgresql",
    "lock_database",
    "sqlite_file",
]
