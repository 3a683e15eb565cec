"""HTML to PDF with WeasyPrint, bounded in time, size and concurrency.

WeasyPrint is pure Python over Debian's pango (the Makefile installs libpango); rendering
is CPU work, so it runs in a worker thread, at most RENDERS at a time per process. A request
that waits longer than WAIT for its turn, or whose PDF takes longer than RENDER, is answered
503 with Retry-After; the HTML is capped at MAX_HTML characters by its producer. The pack
loads nothing: its CSS is inline, its charts are inline SVG, and the URL fetcher refuses
every URL, so a link in someone's text can never make the server fetch anything.
"""

from __future__ import annotations

import asyncio
import functools

from litestar.exceptions import ServiceUnavailableException

RENDERS = 2  # PDFs rendered at the same time by one API process
WAIT = 10.0  # s a request may wait for its turn
RENDER = 30.0  # s a PDF may take
MAX_HTML = 3_000_000  # characters: the pack's producer bounds what it lists well below this
RETRY = {"Retry-After": "5"}


class NoPango(Exception):
    """WeasyPrint's system libraries (Debian's pango) are missing on this machine."""


def render(html: str) -> bytes:
    """The PDF of `html` (blocking: run it in a thread)."""
    try:  # imported on first use: it loads pango
        import weasyprint
        from weasyprint.urls import URLFetcher
    except OSError as exc:  # pango missing: `make install` installs it
        raise NoPango(
            f"PDFs cannot be rendered here ({exc}); the HTML pack is at format=html"
        ) from exc

    if len(html) > MAX_HTML:
        raise ValueError(f"the pack's HTML is too long ({len(html):,} characters)")
    no_urls = URLFetcher(allowed_protocols=frozenset())  # every URL is refused
    document = weasyprint.HTML(string=html, url_fetcher=no_urls, base_url=None)
    pdf: bytes = document.write_pdf()
    return pdf


@functools.cache
def _slots(loop: asyncio.AbstractEventLoop) -> asyncio.Semaphore:
    return asyncio.Semaphore(RENDERS)


async def to_pdf(html: str) -> bytes:
    """Render in a worker thread; a turn is held until the thread finishes, even when the
    request gave up waiting, so no more than RENDERS renders ever run at once."""
    loop = asyncio.get_running_loop()
    slots = _slots(loop)
    try:
        await asyncio.wait_for(slots.acquire(), WAIT)
    except TimeoutError:
        raise ServiceUnavailableException(
            "too many PDFs are being rendered; try again shortly", headers=RETRY
        ) from None
    job = loop.run_in_executor(None, render, html)
    job.add_done_callback(lambda _: slots.release())
    try:
        return await asyncio.wait_for(asyncio.shield(job), RENDER)
    except NoPango as exc:
        raise ServiceUnavailableException(str(exc), headers=RETRY) from None
    except TimeoutError:
        raise ServiceUnavailableException(
            f"the PDF took longer than {RENDER:.0f} s; try the HTML (format=html)", headers=RETRY
        ) from None
