"""Vietnam's time zone, in which deadlines and statistics windows are counted."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def now() -> datetime:
    """The current moment in Vietnam's time, so fresh values read like stored ones (+07:00)."""
    return datetime.now(VN_TZ)


def to_local(moment: datetime) -> datetime:
    return moment.astimezone(VN_TZ)
