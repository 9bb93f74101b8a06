"""The quarterly report as a printable HTML page: `GET /reports/YYYY-QN`.

Rendered on the server from `app.services.reports.quarterly_report`, the same data the GraphQL
`quarterlyReport` serves: plain semantic HTML, Vietnamese and English headings, a print
stylesheet, every text escaped. A path that names no quarter answers 404 in the JSON error
format of every other 404.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from html import escape
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from app.domain.stats import Quarter, StatsRow, WindowError
from app.domain.timezone import now, to_local
from app.domain.visibility import public_text
from app.services.reports import AgencyCount, AgencyRow, QuarterlyReport, quarterly_report
from app.settings import Settings
from app.web.guard import error_body
from db.models import Petition

PERIOD = re.compile(r"(\d{4})-Q(\d)")
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}

STYLE = """
body { font-family: "Times New Roman", Georgia, serif; margin: 2rem auto; max-width: 60rem;
       color: #111; line-height: 1.4; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #999; }
h3 { font-size: 1rem; }
.en { color: #555; font-weight: normal; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { border: 1px solid #bbb; padding: 0.2rem 0.4rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
caption { text-align: left; font-style: italic; margin-bottom: 0.3rem; }
footer { margin-top: 2rem; font-size: 0.85rem; color: #444; }
@media print {
  body { margin: 0; max-width: none; font-size: 10.5pt; }
  a { color: inherit; text-decoration: none; }
  h2 { break-after: avoid; }
  table, li { break-inside: avoid; }
  thead { display: table-header-group; }
}
"""

FIGURES: tuple[tuple[str, str, str], ...] = (
    ("received", "Tiếp nhận", "Received"),
    ("answered", "Đã trả lời", "Answered"),
    ("answered_on_time", "Trả lời đúng hạn", "Answered on time"),
    ("on_time_rate", "Tỷ lệ đúng hạn", "On-time rate"),
    ("overdue_open", "Quá hạn chưa xử lý", "Overdue, open"),
    ("escalated", "Chuyển Chính phủ", "Escalated"),
    ("follow_ups", "Phản hồi lại", "Follow-ups"),
    ("rejected", "Từ chối", "Rejected"),
    ("median_response_working_days", "Trung vị ngày trả lời", "Median response (working days)"),
    ("p90_response_working_days", "Phân vị 90 ngày trả lời", "90th percentile response"),
    ("average_rating", "Điểm hài lòng TB", "Average rating"),
    ("urged", "Bị đôn đốc", "Urged"),
    ("overdue_ever", "Từng quá hạn", "Went overdue"),
)


def _format(name: str, value: Any, *, signed: bool = False) -> str:
    if value is None:
        return "—"
    if name == "on_time_rate":
        text = f"{value * 100:+.1f} đ.p." if signed else f"{value * 100:.1f}%"
        return text
    if isinstance(value, float):
        return f"{value:+.2f}" if signed else f"{value:.2f}"
    return f"{value:+d}" if signed else f"{value:d}"


def _heading(level: int, vi: str, en: str) -> str:
    return f'<h{level}>{escape(vi)} <span class="en" lang="en">/ {escape(en)}</span></h{level}>'


def _agency_name(agency: Any) -> str:
    english = (
        f' <span class="en" lang="en">({escape(agency.name_en)})</span>' if agency.name_en else ""
    )
    return f"{escape(agency.name)}{english} <small>{escape(agency.code)}</small>"


def _summary(report: QuarterlyReport) -> str:
    previous = report.quarter.previous()
    rows = []
    for name, vi, en in FIGURES:
        rows.append(
            "<tr>"
            f'<th scope="row">{escape(vi)} <span class="en" lang="en">/ {escape(en)}</span></th>'
            f"<td>{_format(name, getattr(report.totals, name))}</td>"
            f"<td>{_format(name, getattr(report.previous_totals, name))}</td>"
            f"<td>{_format(name, getattr(report.change, name), signed=True)}</td>"
            "</tr>"
        )
    counts = " · ".join(f"{score}★ {n}" for score, n in enumerate(report.totals.rating_counts, 1))
    return (
        "<table><thead><tr><th>Chỉ tiêu / Figure</th>"
        f"<th>{escape(report.quarter.label)}</th><th>{escape(previous.label)}</th>"
        "<th>Thay đổi / Change</th></tr></thead><tbody>"
        + "".join(rows)
        + f"</tbody></table><p>Điểm đánh giá / Ratings: {escape(counts)}</p>"
    )


def _agency_table(rows: Iterable[AgencyRow]) -> str:
    names = (
        "received",
        "answered",
        "on_time_rate",
        "overdue_open",
        "escalated",
        "median_response_working_days",
        "average_rating",
    )
    head = "".join(
        f'<th>{escape(vi)}<br><span class="en" lang="en">{escape(en)}</span></th>'
        for name, vi, en in FIGURES
        if name in names
    )
    body = "".join(
        f"<tr><td>{_agency_name(row.agency)}</td>"
        + "".join(f"<td>{_format(name, getattr(row.stats, name))}</td>" for name in names)
        + "</tr>"
        for row in rows
    )
    if not body:
        return "<p>Không có số liệu / No petitions this quarter.</p>"
    return (
        f"<table><thead><tr><th>Cơ quan / Agency</th>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def _count_list(vi: str, en: str, counts: list[AgencyCount]) -> str:
    items = "".join(
        f"<li>{_agency_name(c.agency)}: <strong>{c.count}</strong></li>" for c in counts
    )
    body = f"<ol>{items}</ol>" if items else "<p>Không có / None.</p>"
    return _heading(3, vi, en) + body


def _stats_brief(row: StatsRow) -> str:
    return (
        f"{_format('on_time_rate', row.on_time_rate)} đúng hạn / on time, "
        f"{row.received} tiếp nhận / received, "
        f"điểm / rating {_format('average_rating', row.average_rating)}"
    )


def _featured(petition: Petition) -> str:
    """A featured petition as the public may read it: a private one's title and the note
    it was featured with are withheld (`app.domain.visibility`)."""
    title = public_text(petition.title, petition.is_private)
    note = public_text(petition.featured_note, petition.is_private)
    return (
        f"<li><strong>{escape(petition.tracking_code)}</strong>: "
        + (escape(title) if title is not None else "<em>(nội dung riêng tư / private text)</em>")
        + (f"<br><q>{escape(note)}</q>" if note else "")
        + "</li>"
    )


def render(report: QuarterlyReport) -> str:
    q = report.quarter
    title_vi = f"Báo cáo quý {ROMAN[q.quarter]}/{q.year} về tiếp nhận, xử lý phản ánh, kiến nghị"
    title_en = f"Quarterly report, Q{q.quarter} {q.year}: petitions received and handled"
    exemplary = "".join(
        f"<li>{_agency_name(row.agency)}: {escape(_stats_brief(row.stats))}</li>"
        for row in report.exemplary
    )
    featured = "".join(_featured(p) for p in report.featured)
    as_of = to_local(report.as_of).strftime("%Y-%m-%d %H:%M")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="vi"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title_vi)} / {escape(title_en)}</title>",
        f"<style>{STYLE}</style></head><body>",
        "<header>",
        f'<h1>{escape(title_vi)}<br><span class="en" lang="en">{escape(title_en)}</span></h1>',
        f"<p>Văn phòng Chính phủ / Government Office · {q.first_day.isoformat()} – "
        f"{q.last_day.isoformat()} · số liệu đến / figures as of {escape(as_of)} (UTC+7)</p>",
        "</header><main>",
        "<section>",
        _heading(2, "1. Tổng hợp", "Summary and change from the previous quarter"),
        _summary(report),
        "</section><section>",
        _heading(2, "2. Theo cơ quan", "By agency"),
        _agency_table(report.agencies),
        "</section><section>",
        _heading(2, "3. Cơ quan chậm trễ", "Agencies that delay"),
        _count_list("Nhiều phản ánh quá hạn nhất", "Most overdue petitions", report.most_overdue),
        _count_list(
            "Nhiều đề nghị chuyển nhất", "Most transfer requests", report.most_transfer_requests
        ),
        _count_list(
            "Nhiều phản ánh phải chuyển Chính phủ nhất", "Most escalations", report.most_escalations
        ),
        _count_list(
            "Nhiều phản ánh bị Văn phòng Chính phủ đôn đốc nhất",
            "Most urged by the Government Office",
            report.most_urged,
        ),
        "</section><section>",
        _heading(2, "4. Cơ quan tiêu biểu", "Exemplary agencies"),
        f"<ol>{exemplary}</ol>" if exemplary else "<p>Không có / None.</p>",
        "</section><section>",
        _heading(2, "5. Phản ánh, kiến nghị tiêu biểu", "Petitions featured as useful"),
        f"<ul>{featured}</ul>" if featured else "<p>Không có / None.</p>",
        "</section></main>",
        "<footer><p>",
        "Một phản ánh được tính vào quý theo ngày gửi (giờ Việt Nam). Quá hạn: đang xử lý và "
        "đã qua hạn tại thời điểm cuối quý. ",
        '<span lang="en">A petition counts in the quarter of its submission date (Vietnam '
        "time). Overdue: open, past its deadline at the quarter's last instant (or now, while "
        "the quarter runs). Exemplary agencies received at least "
        f"{report.minimum_petitions} petitions.</span>",
        "</p></footer></body></html>",
    ]
    return "\n".join(parts)


def parse_period(period: str) -> Quarter | None:
    match = PERIOD.fullmatch(period)
    if match is None:
        return None
    try:
        return Quarter.of(int(match[1]), int(match[2]))
    except WindowError:
        return None


def report_page(
    sessions: async_sessionmaker[AsyncSession], settings: Settings
) -> Callable[[Request], Awaitable[Response]]:
    """The endpoint of `GET /reports/{period}`."""

    async def endpoint(request: Request) -> Response:
        quarter = parse_period(str(request.path_params.get("period", "")))
        if quarter is None:
            return Response(
                error_body("NOT_FOUND", "No such report: use /reports/YYYY-QN, e.g. 2026-Q1."),
                404,
                media_type="application/json",
            )
        async with sessions() as session:
            report = await quarterly_report(session, quarter, now(), settings.ranking_minimum)
        return HTMLResponse(render(report))

    return endpoint
