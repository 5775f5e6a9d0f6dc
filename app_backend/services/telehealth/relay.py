"""Real-time events across backend workers, through Redis pub/sub.

Each worker holds only its own WebSocket connections (`hub.Hub`). With `TELEHEALTH_REDIS_URL` set,
a worker publishes a thread's event to one Redis channel instead of delivering it itself, and
every worker (itself included) receives it on a listener thread and delivers it to its own
connections, deciding who may see it with the same access rule as every read, at that moment.

The relay carries the patient id, the event and its audience (everyone with access to the
patient's telehealth, or the patient's side only); it never decides recipients itself.
Should Redis be unreachable, a worker delivers to its own connections and logs a warning:
messages are never lost (they are in the database, and clients poll `?after=` on reconnect),
only the live push to other workers' sockets waits until Redis is back.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable

import redis

log = logging.getLogger(__name__)

CHANNEL = "telehealth-events"
RECONNECT_SECONDS = (0.5, 1, 2, 5, 10)

# Called on the listener thread for every event: (patient_id, event, audience).
Deliver = Callable[[str, dict, str], None]


class RedisRelay:
    def __init__(self, url: str, deliver: Deliver, channel: str = CHANNEL):
        self.url, self.channel, self._deliver = url, channel, deliver
        self._client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self._stopping = threading.Event()
        self._subscribed = threading.Event()
        self._thread = threading.Thread(target=self._listen, name="telehealth-relay", daemon=True)

    def start(self, wait_seconds: float = 2.0) -> RedisRelay:
        """Start listening; wait (briefly) until subscribed, so no event published after start is missed."""
        self._thread.start()
        if not self._subscribed.wait(wait_seconds):
            log.warning("telehealth relay: not yet subscribed to %s on %s", self.channel, _safe(self.url))
        return self

    def publish(self, patient_id: str, event: dict, audience: str) -> bool:
        """Send the event to every worker; False (and a warning) when Redis is unreachable."""
        payload = {"patient_id": patient_id, "event": event, "audience": audience}
        try:
            self._client.publish(self.channel, json.dumps(payload))
            return True
        except redis.RedisError as exc:
            log.warning("telehealth relay: publish to %s failed (%s); delivering locally only",
                        _safe(self.url), type(exc).__name__)  # fmt: skip
            return False

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=5)
        self._client.close()

    def _listen(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            pubsub = self._client.pubsub(ignore_subscribe_messages=True)
            try:
                pubsub.subscribe(self.channel)
                self._subscribed.set()
                failures = 0
                while not self._stopping.is_set():
                    message = pubsub.get_message(timeout=0.5)
                    if message is not None:
                        self._handle(message["data"])
            except redis.RedisError as exc:
                self._subscribed.clear()
                delay = RECONNECT_SECONDS[min(failures, len(RECONNECT_SECONDS) - 1)]
                failures += 1
                log.warning("telehealth relay: lost %s (%s); reconnecting in %ss",
                            _safe(self.url), type(exc).__name__, delay)  # fmt: skip
                self._stopping.wait(delay)
            finally:
                pubsub.close()

    def _handle(self, data: bytes) -> None:
        try:
            payload = json.loads(data)
            patient_id, event, audience = str(payload["patient_id"]), payload["event"], payload["audience"]
        except (ValueError, KeyError, TypeError):
            log.warning("telehealth relay: ignored a malformed event on %s", self.channel)
            return
        try:
            self._deliver(patient_id, event, audience)
        except Exception:  # one bad delivery must not stop the listener for every later event
            log.exception("telehealth relay: delivering an event failed")


def _safe(url: str) -> str:
    """The URL without its password, for logs."""
    if "@" not in url:
        return url
    scheme, rest = url.split("://", 1) if "://" in url else ("", url)
    return f"{scheme}://***@{rest.rsplit('@', 1)[1]}"
