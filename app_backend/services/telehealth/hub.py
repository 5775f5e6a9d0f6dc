"""Real-time delivery: WebSocket connections per signed-in user, fed from the request threads.

Who may receive an event is decided at delivery time with the same access rule as every read
(`access_purpose` in the telehealth module), so a connection never sees another patient's thread.
A hub holds one worker's connections; with several workers, `relay.RedisRelay` carries each event
to every worker's hub (TELEHEALTH_REDIS_URL).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field


@dataclass(eq=False)
class Connection:
    user_id: int
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue = field(default_factory=lambda: asyncio.Queue(maxsize=1000))


class Hub:
    def __init__(self):
        self._connections: set[Connection] = set()
        self.relay = None  # a relay.RedisRelay when events cross workers

    def connect(self, user_id: int) -> Connection:
        connection = Connection(user_id=user_id, loop=asyncio.get_running_loop())
        self._connections.add(connection)
        return connection

    def disconnect(self, connection: Connection) -> None:
        self._connections.discard(connection)

    def connected_users(self) -> set[int]:
        return {c.user_id for c in self._connections}

    def publish(self, user_ids: set[int], event: dict) -> int:
        """Queue the event for every connection of these users; safe to call from any thread."""
        delivered = 0
        for connection in list(self._connections):
            if connection.user_id in user_ids:
                connection.loop.call_soon_threadsafe(_offer, connection.queue, event)
                delivered += 1
        return delivered


def _offer(queue: asyncio.Queue, event: dict) -> None:
    if not queue.full():  # a stalled client loses live events, never the messages (polling has them)
        queue.put_nowait(event)
