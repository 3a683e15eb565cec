"""Prometheus metrics of the write path's background work: the outbox relays and the durable
consumers (the projection, the webhook worker, the stage handoffs).

The API serves its own /metrics (for admins); every other service serves its registry on
TOLLGATE_METRICS_PORT for Prometheus, with `serve`. Together, command -> read model latency
is the relay's delay (commit -> PubAck) plus the projection's (stored on the stream ->
applied).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from datetime import UTC, datetime

from prometheus_client import Counter, Gauge, Histogram, start_http_server

from infra.eventstore import RecordedEvent

log = logging.getLogger(__name__)
_DELAYS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

RELAY_PUBLISHED = Counter(
    "tollgate_relay_published_total", "Events the outbox relay published", ["schema"]
)
RELAY_BACKLOG = Gauge(
    "tollgate_relay_backlog_events",
    "Events committed but not yet published at the relay's last read (counted up to a batch)",
    ["schema"],
)
RELAY_OLDEST = Gauge(
    "tollgate_relay_backlog_seconds",
    "Age of the oldest event committed but not yet published at the relay's last read",
    ["schema"],
)
RELAY_DELAY = Histogram(
    "tollgate_relay_delay_seconds",
    "From an event's commit to its PubAck on the stream",
    ["schema"],
    buckets=_DELAYS,
)
CONSUMED = Counter(
    "tollgate_consumer_events_total",
    "Events a durable consumer handled: applied, a repeat (handled before), skipped (it"
    " needed no handling), or failed (redelivered)",
    ["consumer", "outcome"],
)
CONSUMER_DELAY = Histogram(
    "tollgate_consumer_delay_seconds",
    "From an event's storing on the stream to its handling committed",
    ["consumer"],
    buckets=_DELAYS,
)


def relay_read(schema: str, events: Sequence[RecordedEvent]) -> None:
    """What the relay found waiting: how many events (up to a batch) and the oldest's age."""
    RELAY_BACKLOG.labels(schema).set(len(events))
    RELAY_OLDEST.labels(schema).set(age(events[0].recorded_epoch) if events else 0.0)


def relay_published(schema: str, events: Sequence[RecordedEvent]) -> None:
    """Events the relay got PubAcks for: counted, with their delay since the commit."""
    RELAY_PUBLISHED.labels(schema).inc(len(events))
    delay, now = RELAY_DELAY.labels(schema), time.time()
    for event in events:
        delay.observe(age(event.recorded_epoch, now))


def age(epoch: float, now: float | None = None) -> float:
    """Seconds from a Unix time to `now` (the clock's), never negative."""
    return max(0.0, (time.time() if now is None else now) - epoch)


def since(moment: datetime) -> float:
    """Seconds from `moment` to now, never negative (clocks of two machines may differ)."""
    return max(0.0, (datetime.now(UTC) - moment).total_seconds())


def serve(host: str, port: int) -> bool:
    """Serve this process's metrics on host:port in a thread; a port that is taken is
    logged, never fatal (the service itself matters more than its metrics)."""
    try:
        start_http_server(port, addr=host)
    except OSError as exc:
        log.warning("metrics: cannot serve on %s:%d (%s)", host, port, exc)
        return False
    log.info("metrics on http://%s:%d/metrics", host, port)
    return True
