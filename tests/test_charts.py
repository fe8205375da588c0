"""Server-drawn SVG charts: valid XML, every series drawn, texts escaped, empty data."""

from __future__ import annotations

import datetime as dt

from lxml import etree

from keel.common.charts import LineChart, Marker, Series, line_chart_svg

D = dt.date(2027, 1, 4)


def _parse(svg: str) -> etree._Element:
    return etree.fromstring(svg.encode())


def test_a_chart_is_valid_svg_with_a_line_per_series() -> None:
    chart = LineChart(
        title="S-curve <PV & EV>",
        series=[
            Series("PV", [(D, 0), (D + dt.timedelta(days=7), 40), (D + dt.timedelta(days=14), 90)]),
            Series("EV", [(D, 0), (D + dt.timedelta(days=7), 30)], dashed=True),
        ],
        markers=[Marker(D + dt.timedelta(days=8), "今天")],
        reference=1.0,
    )
    root = _parse(line_chart_svg(chart))
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert root.find("s:title", ns).text == "S-curve <PV & EV>"
    lines = root.findall("s:polyline", ns)
    assert len(lines) == 2 and lines[1].get("stroke-dasharray") == "6 4"
    assert "今天" in etree.tostring(root, encoding="unicode")
    ys = [float(p.split(",")[1]) for p in lines[0].get("points").split()]
    assert ys[0] > ys[1] > ys[2]  # rising values are drawn higher up


def test_an_empty_chart_is_still_an_svg() -> None:
    root = _parse(line_chart_svg(LineChart(title="Nothing", series=[Series("x", [])])))
    assert root.tag.endswith("svg")


def test_a_flat_series_does_not_divide_by_zero() -> None:
    svg = line_chart_svg(LineChart(title="Flat", series=[Series("x", [(D, 5), (D, 5)])]))
    assert "nan" not in svg and "inf" not in svg
