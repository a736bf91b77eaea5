"""Charts drawn on the server as SVG: no script, no CDN, readable by screen readers.

Each chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` that states the figures;
the page puts the same figures in a table under it. Colours come from classes in
``static/css/reports.css``. Text is escaped by Markup's ``format``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 480, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 10, 14, 48
_ids = itertools.count(1)


@dataclass(frozen=True)
class Series:
    """One named run of values (None where there is no figure); ``kind`` picks the colour."""

    name: str
    values: Sequence[float | None]
    kind: str


def _nice_top(value: float) -> float:
    """A round axis maximum at or above ``value``."""
    if value <= 0:
        return 1.0
    step = 10 ** math.floor(math.log10(value))
    for factor in (1, 2, 4, 5, 10):
        if value <= factor * step:
            return float(factor * step)
    return float(10 * step)


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _frame(title: str, desc: str, body: Markup, legend: Sequence[Series]) -> Markup:
    ident = f"chart{next(_ids)}"
    keys = Markup("").join(
        Markup('<span class="key"><i class="swatch {}"></i>{}</span>').format(s.kind, s.name)
        for s in legend
    )
    return Markup(
        '<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{i}-t {i}-d" '
        'preserveAspectRatio="xMidYMid meet"><title id="{i}-t">{t}</title>'
        '<desc id="{i}-d">{d}</desc>{b}</svg><p class="legend" aria-hidden="true">{k}</p>'
    ).format(w=WIDTH, h=HEIGHT, i=ident, t=title, d=desc, b=body, k=keys)


def _axes(labels: Sequence[str], low: float, high: float) -> tuple[Markup, float, float]:
    """Grid lines, y ticks and x labels; returns them with the x slot width and y of zero."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(labels), 1)
    parts = []
    for n in range(5):
        value = low + (high - low) * n / 4
        y = TOP + plot_h - (value - low) / (high - low) * plot_h
        parts.append(
            Markup(
                '<line class="grid" x1="{}" x2="{}" y1="{y:.1f}" y2="{y:.1f}"/>'
                '<text class="tick" x="{}" y="{ty:.1f}" text-anchor="end">{}</text>'
            ).format(LEFT, WIDTH - RIGHT, LEFT - 6, _number(value), y=y, ty=y + 4)
        )
    every = 1 if len(labels) <= 12 else math.ceil(len(labels) / 12)
    for n, label in enumerate(labels):
        if n % every:
            continue
        x = LEFT + slot * (n + 0.5)
        first, _, second = label.partition(" ")
        parts.append(
            Markup(
                '<text class="tick" x="{x:.1f}" y="{y}" text-anchor="middle">{a}'
                '<tspan x="{x:.1f}" dy="1.15em">{b}</tspan></text>'
            ).format(x=x, y=HEIGHT - BOTTOM + 18, a=first, b=second)
        )
    zero = TOP + plot_h - (0 - low) / (high - low) * plot_h
    parts.append(
        Markup('<line class="axis" x1="{}" x2="{}" y1="{z:.1f}" y2="{z:.1f}"/>').format(
            LEFT, WIDTH - RIGHT, z=zero
        )
    )
    return Markup("").join(parts), slot, zero


def _y(value: float, low: float, high: float) -> float:
    plot_h = HEIGHT - TOP - BOTTOM
    return TOP + plot_h - (value - low) / (high - low) * plot_h


def columns(
    title: str,
    labels: Sequence[str],
    bars: Sequence[Series],
    lines: Sequence[Series] = (),
    unit: str = "",
) -> Markup:
    """Grouped vertical bars (negative values go down) with optional lines over them."""
    values = [v for s in (*bars, *lines) for v in s.values if v is not None]
    high = _nice_top(max([4.0, *values]))
    low = 0.0
    if values and min(values) < 0:  # diverging: the same scale up and down
        high = _nice_top(max(high, -min(values)))
        low = -high
    grid, slot, zero = _axes(labels, low, high)
    parts = [grid]
    width = slot * 0.7 / max(len(bars), 1)
    for k, series in enumerate(bars):
        for n, value in enumerate(series.values):
            if value is None:
                continue
            x = LEFT + slot * n + slot * 0.15 + width * k
            y = _y(value, low, high)
            parts.append(
                Markup(
                    '<rect class="{c}" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}">'
                    "<title>{s}, {l}: {v}{u}</title></rect>"
                ).format(
                    c=series.kind, x=x, y=min(y, zero), w=width, h=abs(zero - y),
                    s=series.name, l=labels[n], v=_number(value), u=unit,
                )
            )  # fmt: skip
    for series in lines:
        parts.append(_polyline(series, labels, slot, low, high, unit))
    desc = "; ".join(
        f"{s.name}: "
        + ", ".join(
            f"{lab} {'none' if v is None else _number(v)}"
            for lab, v in zip(labels, s.values, strict=True)
        )
        for s in (*bars, *lines)
    )
    return _frame(title, desc, Markup("").join(parts), [*bars, *lines])


def _polyline(
    series: Series, labels: Sequence[str], slot: float, low: float, high: float, unit: str
) -> Markup:
    points, dots = [], []
    for n, value in enumerate(series.values):
        if value is None:
            continue
        x, y = LEFT + slot * (n + 0.5), _y(value, low, high)
        points.append(f"{x:.1f},{y:.1f}")
        dots.append(
            Markup(
                '<circle class="{c}" cx="{x:.1f}" cy="{y:.1f}" r="3.5">'
                "<title>{s}, {l}: {v}{u}</title></circle>"
            ).format(c=series.kind, x=x, y=y, s=series.name, l=labels[n], v=_number(value), u=unit)
        )
    line = Markup('<polyline class="line {}" points="{}"/>').format(series.kind, " ".join(points))
    return line + Markup("").join(dots)


def trend(title: str, labels: Sequence[str], lines: Sequence[Series]) -> Markup:
    """Lines over months (a target line is a series of kind ``target``)."""
    values = [v for s in lines for v in s.values if v is not None]
    high = _nice_top(max([4.0, *values]))
    grid, slot, _ = _axes(labels, 0.0, high)
    body = grid + Markup("").join(_polyline(s, labels, slot, 0.0, high, "") for s in lines)
    desc = "; ".join(
        f"{s.name}: "
        + ", ".join(
            f"{lab} {'none' if v is None else _number(v)}"
            for lab, v in zip(labels, s.values, strict=True)
        )
        for s in lines
    )
    return _frame(title, desc, body, lines)


def bars(
    title: str, items: Sequence[tuple[str, float]], kind: str = "primary", unit: str = ""
) -> Markup:
    """Horizontal bars, one per labelled value, with the value at the end."""
    row = 30
    height = TOP + row * max(len(items), 1) + 8
    label_w = 150
    high = _nice_top(max([0.0, *(v for _, v in items)]))
    parts = []
    for n, (label, value) in enumerate(items):
        y = TOP + row * n
        w = (WIDTH - label_w - 60) * value / high
        parts.append(
            Markup(
                '<text class="tick" x="{lx}" y="{ty}" text-anchor="end">{l}</text>'
                '<rect class="{c}" x="{x}" y="{y}" width="{w:.1f}" height="{h}">'
                "<title>{l}: {v}{u}</title></rect>"
                '<text class="value" x="{vx:.1f}" y="{ty}">{v}{u}</text>'
            ).format(
                lx=label_w - 8, ty=y + 17, l=_short(label), c=kind, x=label_w, y=y + 4, w=w,
                h=row - 10, v=_number(value), u=unit, vx=label_w + w + 6,
            )
        )  # fmt: skip
    ident = f"chart{next(_ids)}"
    desc = ", ".join(f"{label} {_number(value)}{unit}" for label, value in items)
    return Markup(
        '<svg class="chart bars" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{i}-t {i}-d">'
        '<title id="{i}-t">{t}</title><desc id="{i}-d">{d}</desc>{b}</svg>'
    ).format(w=WIDTH, h=height, i=ident, t=title, d=desc or "no figures", b=Markup("").join(parts))


def _short(label: str, size: int = 20) -> str:
    return label if len(label) <= size else label[: size - 1] + "…"


__all__ = ["Series", "bars", "columns", "escape", "trend"]
