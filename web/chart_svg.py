"""The SVG pieces every chart shares (web/charts.py, web/bar_charts.py): the frame with its
HTML title, fluid <svg> elements (x in percent, y and text in px, no viewBox), text,
coordinates and legend swatches. Colours are inline so a chart also renders standalone
(the committee pack's PDF)."""

from __future__ import annotations

from html import escape

SVG_NS = "http://www.w3.org/2000/svg"
TEXT, MUTED, AXIS, GRID = "#1b1f24", "#4f5863", "#8a949f", "#e3e7ec"
SERIES, BASELINE, TARGET = "#1f5fbf", "#4f5863", "#1b6e3a"
FONT = 'font-family="system-ui, sans-serif"'
FRAME = "font-family:system-ui,sans-serif;color:#1b1f24"
TITLE = "margin:0 0 6px;font-size:13px;font-weight:600;line-height:1.3"
LEGEND = "display:flex;flex-wrap:wrap;gap:4px 14px;margin-top:4px;font-size:12px;color:#4f5863"
TOP = 8  # room above the top grid line for its label
ROW = 36  # px per bar of the bar charts and the funnel


def frame(kind: str, title: str, summary: str, body: str, note: str = "") -> str:
    extra = f' <span style="font-weight:400;color:{MUTED}">{escape(note)}</span>' if note else ""
    return (
        f'<div class="tg-chart {kind}" role="img" aria-label="{escape(summary)}" '
        f'style="{FRAME}"><p class="tg-chart-title" style="{TITLE}">{escape(title)}{extra}</p>'
        f"{body}</div>"
    )


def svg(height: float, body: list[str], width: str = "100%", css: str = "tg-plot") -> str:
    """A fluid SVG (`width` 100%) filling its row, or a fixed one (`width` in px)."""
    flex = "flex:1 1 auto;min-width:0" if width.endswith("%") else "flex:none"
    return (
        f'<svg xmlns="{SVG_NS}" class="{css}" width="{width}" height="{n(height)}" '
        f'aria-hidden="true" focusable="false" style="display:block;overflow:visible;{flex}">'
        + "".join(body)
        + "</svg>"
    )


def n(value: float) -> str:
    """A coordinate, rounded to keep the markup small."""
    return f"{value:.1f}".removesuffix(".0")


def pc(fraction: float) -> str:
    return f"{fraction * 100:.2f}".rstrip("0").rstrip(".") + "%"


def text(
    x: str,
    y: float,
    content: str,
    *,
    anchor: str = "start",
    css: str = "",
    size: int = 11,
    fill: str = MUTED,
    weight: str = "",
) -> str:
    bold = f' font-weight="{weight}"' if weight else ""
    return (
        f'<text class="{css}" x="{x}" y="{n(y)}" text-anchor="{anchor}" font-size="{size}"'
        f'{bold} fill="{fill}" {FONT}>{escape(content)}</text>'
    )


def no_data(title: str, kind: str) -> str:
    body = (
        f'<p class="tg-no-data" style="margin:24px 0;text-align:center;color:{MUTED}">No data</p>'
    )
    return frame(kind, title, f"{title}: no data", body)


def swatch(colour: str, dash: str = "", dot: bool = False) -> str:
    mark = (
        f'<circle cx="9" cy="6" r="3.5" fill="{colour}"/>'
        if dot
        else f'<line x1="0" y1="6" x2="18" y2="6" stroke="{colour}" stroke-width="2" '
        f'stroke-dasharray="{dash}"/>'
    )
    return (
        f'<svg xmlns="{SVG_NS}" class="tg-swatch" width="18" height="12" aria-hidden="true" '
        f'style="display:inline-block">{mark}</svg>'
    )
