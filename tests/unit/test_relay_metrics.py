"""The relay's lag metrics read a stored event's time as Unix seconds."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

from prometheus_client import REGISTRY

from infra import metrics
from infra.eventstore import RecordedEvent


def recorded(seconds_ago: float) -> RecordedEvent:
    return RecordedEvent(1, 1, "s", 1, uuid.uuid4(), "t", datetime.now(UTC),
                         time.time() - seconds_ago, b"{}", b"{}")  # fmt: skip


def test_the_oldest_age_and_the_delays_come_from_the_epoch():
    schema = f"m{uuid.uuid4().hex[:6]}"
    metrics.relay_read(schema, [recorded(30.0), recorded(1.0)])
    oldest = REGISTRY.get_sample_value("tollgate_relay_backlog_seconds", {"schema": schema})
    assert oldest is not None and 30.0 <= oldest < 31.0
    metrics.relay_published(schema, [recorded(2.0), recorded(-5.0)])  # a clock ahead: 0
    labels = {"schema": schema}
    total = REGISTRY.get_sample_value("tollgate_relay_delay_seconds_sum", labels)
    count = REGISTRY.get_sample_value("tollgate_relay_delay_seconds_count", labels)
    assert count == 2 and total is not None and 2.0 <= total < 3.0
    assert recorded(0).recorded_at.tzinfo is UTC
