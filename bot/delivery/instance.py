"""Who this process is, for the outbox's leases: host name, process id and a random suffix.

The suffix tells two incarnations apart that share a host name and a process id (a container restarted
with its process as pid 1 again).
"""

from __future__ import annotations

import os
import secrets
import socket

HOST_LENGTH = 64

_ids: dict[int, str] = {}


def instance_id() -> str:
    """This process's id, ``host:pid:suffix`` (made once per process; a forked child gets its own)."""
    pid = os.getpid()
    known = _ids.get(pid)
    if known is None:
        host = (socket.gethostname() or "host")[:HOST_LENGTH]
        known = _ids[pid] = f"{host}:{pid}:{secrets.token_hex(4)}"
    return known
