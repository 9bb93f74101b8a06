"""The monthly chart's geometry (app/web/site/charts.py), without a server: every month of
its span is a slot, and the on-time line breaks where a month answered nothing."""

from __future__ import annotations

from app.web.site.charts import every_month, monthly_chart

MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"]


def _row(month: str, received: int, answered: int, rate: float | None) -> dict[str, object]:
    return {
        "month": month,
        "stats": {"received": received, "answered": answered, "onTimeRate": rate},
    }


def test_a_month_the_api_does_not_list_is_an_empty_slot() -> None:
    rows = [_row("2026-02", 4, 2, 0.5), _row("2026-05", 8, 8, 1.0)]
    filled = every_month(rows, MONTHS)
    assert [row["month"] for row in filled] == MONTHS
    assert filled[0]["stats"] == {"received": 0, "answered": 0, "onTimeRate": None}
    chart = monthly_chart(rows, MONTHS)
    assert [month.month for month in chart.months] == MONTHS
    assert [month.received.value for month in chart.months] == [0, 4, 0, 0, 8]
    assert chart.months[0].received.height == 0


def test_the_on_time_line_is_not_drawn_across_a_month_without_a_rate() -> None:
    rows = [
        _row("2026-01", 4, 2, 0.5),
        _row("2026-02", 4, 2, 1.0),
        _row("2026-04", 4, 2, 0.0),
        _row("2026-05", 4, 2, 0.25),
    ]
    path = monthly_chart(rows, MONTHS).rate_path
    assert [step[0] for step in path.split()] == ["M", "L", "M", "L"]


def test_the_axis_labels_at_most_six_months() -> None:
    assert monthly_chart([], MONTHS).label_step == 1
    assert monthly_chart([], [f"2025-{m:02d}" for m in range(1, 13)] * 2).label_step == 4
