"""OpenTelemetry traces along the whole path of a command, one trace:
HTTP request (ASGI) -> NATS command request -> stage service -> event store (asyncpg) ->
outbox relay -> JetStream -> consumers (projection, webhooks, the next stage) -> read model.

The W3C `traceparent` travels in NATS headers (command requests and JetStream messages) and
in the event itself: the runner records the command's `traceparent` in the event's metadata
and the CloudEvent carries it (the CloudEvents distributed-tracing extension), so any
subscriber can continue the trace. The relay's publish continues it from there and puts its
own span in the message's header, which the consumers continue.

Off unless OTEL_EXPORTER_OTLP_ENDPOINT (or ..._TRACES_ENDPOINT) is set: then the SDK is
never imported or set up, OpenTelemetry's API stays a no-op, and every function here
returns at once. On, spans are batched and exported over OTLP/HTTP; the SDK reads the other
OTEL_* variables (OTEL_SERVICE_NAME, OTEL_BSP_SCHEDULE_DELAY, ...). Database queries and
command requests outside any trace (the relay's polling, a health probe) start no trace.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Literal

from opentelemetry import propagate, trace
from opentelemetry.context import Context

Kind = Literal["server", "client", "producer", "consumer", "internal"]
_KINDS = {
    "server": trace.SpanKind.SERVER,
    "client": trace.SpanKind.CLIENT,
    "producer": trace.SpanKind.PRODUCER,
    "consumer": trace.SpanKind.CONSUMER,
    "internal": trace.SpanKind.INTERNAL,
}
TRACEPARENT = "traceparent"
UNTRACED_PATHS = "/health,/metrics,/static/"  # probes and assets: no trace of their own
_state: dict[str, Any] = {}  # "provider" once set up


def enabled() -> bool:
    return "provider" in _state


def wanted(environ: Mapping[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    return bool(
        env.get("OTEL_EXPORTER_OTLP_ENDPOINT") or env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    )


def setup(service: str) -> bool:
    """Export this process's spans as `tollgate-<service>` if an OTLP endpoint is set."""
    if enabled() or not wanted():
        return enabled()
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor
    from opentelemetry.sdk.trace.sampling import ParentBased

    name = os.environ.get("OTEL_SERVICE_NAME") or f"tollgate-{service}"
    provider = TracerProvider(
        resource=Resource.create({"service.name": name}),
        sampler=ParentBased(root=root_sampler()),
    )
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    AsyncPGInstrumentor().instrument(tracer_provider=provider)  # type: ignore[no-untyped-call]
    _state["provider"] = provider
    return True


def shutdown() -> None:
    """Export what is still buffered (the SDK also does at exit)."""
    provider = _state.pop("provider", None)
    if provider is not None:
        provider.shutdown()


def root_sampler() -> Any:
    """Record a trace only from a span that starts work (a request served, an event
    processed), never from a query or a request made outside one: the relay's polling and
    the consumers' bookkeeping would otherwise fill the tracing backend with noise."""
    from opentelemetry.sdk.trace.sampling import ALWAYS_ON, Decision, Sampler, SamplingResult

    class StartsWork(Sampler):
        def should_sample(  # noqa: PLR0917 (the SDK's signature)
            self,
            parent_context: Context | None,
            trace_id: int,
            name: str,
            kind: trace.SpanKind | None = None,
            attributes: Any = None,
            links: Sequence[trace.Link] | None = None,
            trace_state: trace.TraceState | None = None,
        ) -> SamplingResult:
            if kind == trace.SpanKind.CLIENT:
                return SamplingResult(Decision.DROP)
            return ALWAYS_ON.should_sample(parent_context, trace_id, name, kind, attributes)

        def get_description(self) -> str:
            return "StartsWork"

    return StartsWork()


def asgi_middleware() -> list[Callable[[Any], Any]]:
    """The ASGI instrumentation as Litestar middleware: none when tracing is off."""
    if not enabled():
        return []
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

    def middleware(app: Any) -> Any:
        return OpenTelemetryMiddleware(
            app,
            excluded_urls=UNTRACED_PATHS,
            default_span_details=_route_span,
            exclude_spans=["receive", "send"],
        )

    return [middleware]


def _route_span(scope: Mapping[str, Any]) -> tuple[str, dict[str, str]]:
    """`POST /api/v1/initiatives/{initiative_id:str}/gate-decisions`: by the route template,
    as Litestar routed it (the middleware runs after routing), not by the raw path."""
    route = str(scope.get("path_template") or "unmatched")
    return f"{scope.get('method', 'HTTP')} {route}", {"http.route": route}


@contextlib.contextmanager
def span(
    name: str,
    kind: Kind,
    *,
    headers: Mapping[str, str] | None = None,
    attributes: Mapping[str, str | int] | None = None,
) -> Iterator[None]:
    """A span around a block, continuing the trace in `headers` (a `traceparent`), else the
    current one. Nothing at all when tracing is off."""
    if not enabled():
        yield
        return
    context = propagate.extract(dict(headers)) if headers and TRACEPARENT in headers else None
    tracer = trace.get_tracer("tollgate")
    with tracer.start_as_current_span(
        name, context=context, kind=_KINDS[kind], attributes=dict(attributes or {})
    ):
        yield


@contextlib.contextmanager
def continued(
    name: str,
    kind: Kind,
    traceparent: str | None,
    attributes: Mapping[str, str | int] | None = None,
) -> Iterator[None]:
    """A span only for work that belongs to a trace (an event recorded with a traceparent);
    untraced events start no trace of their own."""
    if traceparent is None or not enabled():
        yield
        return
    with span(name, kind, headers={TRACEPARENT: traceparent}, attributes=attributes):
        yield


def inject(headers: Mapping[str, str] | None) -> dict[str, str]:
    """`headers` plus the current span's `traceparent` (unchanged when tracing is off)."""
    carrier = dict(headers or {})
    if enabled():
        propagate.inject(carrier)
    return carrier


def traceparent() -> str | None:
    """The current span's W3C traceparent, for the event's metadata; None when off."""
    if not enabled():
        return None
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get(TRACEPARENT)


def current_ids() -> tuple[str, str] | None:
    """(trace id, span id) in hex of the current span, for log lines; None outside one."""
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return format(context.trace_id, "032x"), format(context.span_id, "016x")
