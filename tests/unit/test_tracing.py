"""Tracing is off at no cost unless an OTLP endpoint is set; which spans start a trace; JSON
log lines carry the trace and span id of the work they were logged in."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import msgspec
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ParentBased

from infra import tracing
from infra.logs import JsonLines, use_format

UNSET = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}


def test_without_an_endpoint_nothing_of_the_sdk_is_even_imported():
    code = (
        "import sys; from infra import tracing; import launch.cli, web.app, services.runner;"
        "print(tracing.setup('api'), tracing.enabled(), tracing.asgi_middleware(),"
        " any(m.startswith('opentelemetry.sdk') for m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=UNSET, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["False", "False", "[]", "False"]


def test_off_every_helper_returns_at_once_and_adds_nothing():
    assert not tracing.wanted({"OTEL_SERVICE_NAME": "x"})
    assert tracing.wanted({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"})
    assert tracing.inject({"Nats-Msg-Id": "e1"}) == {"Nats-Msg-Id": "e1"}
    assert tracing.traceparent() is None
    with tracing.span("process x", "server", headers={"traceparent": "00-" + "1" * 32 + "-"}):
        assert not trace.get_current_span().get_span_context().is_valid


def _provider() -> tuple[TracerProvider, InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider(sampler=ParentBased(root=tracing.root_sampler()))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider, exporter


def test_a_query_or_request_outside_a_trace_starts_none_but_work_does():
    provider, exporter = _provider()
    tracer = provider.get_tracer("test")
    with tracer.start_as_current_span("SELECT", kind=trace.SpanKind.CLIENT):
        pass  # the relay polling, a health probe
    with (
        tracer.start_as_current_span("process cmd", kind=trace.SpanKind.SERVER),
        tracer.start_as_current_span("INSERT", kind=trace.SpanKind.CLIENT),
    ):
        pass
    assert sorted(s.name for s in exporter.get_finished_spans()) == ["INSERT", "process cmd"]


def _line(message: str, exc: bool = False) -> dict[str, str]:
    record = logging.LogRecord("tollgate.x", logging.WARNING, __file__, 1, message, (), None)
    if exc:
        try:
            raise ValueError("boom")
        except ValueError:
            record.exc_info = sys.exc_info()
    return msgspec.json.decode(JsonLines("poc").format(record))


def test_a_json_log_line_carries_the_trace_and_span_it_was_logged_in():
    provider, _ = _provider()
    with provider.get_tracer("test").start_as_current_span("process cmd") as span:
        line = _line("applied")
    context = span.get_span_context()
    assert line["trace_id"] == format(context.trace_id, "032x")
    assert line["span_id"] == format(context.span_id, "016x")
    assert (line["level"], line["logger"], line["message"], line["service"]) == (
        "WARNING",
        "tollgate.x",
        "applied",
        "poc",
    )


def test_a_json_log_line_outside_a_trace_has_no_ids_but_keeps_the_exception():
    line = _line("relay retrying", exc=True)
    assert "trace_id" not in line and "span_id" not in line
    assert "ValueError: boom" in line["exception"]


def test_json_format_reaches_loggers_with_handlers_of_their_own_and_text_changes_nothing():
    own = logging.getLogger("tollgate.test.own")  # as uvicorn's loggers keep their handlers
    handler = logging.StreamHandler()
    own.addHandler(handler)
    root = {h: h.formatter for h in logging.getLogger().handlers}
    try:
        use_format("text", "api", loggers=("tollgate.test.own",))
        assert not isinstance(handler.formatter, JsonLines)
        use_format("json", "api", loggers=("tollgate.test.own",))
        assert isinstance(handler.formatter, JsonLines)
        assert all(isinstance(h.formatter, JsonLines) for h in root)
    finally:
        own.removeHandler(handler)
        for h, formatter in root.items():
            h.setFormatter(formatter)
