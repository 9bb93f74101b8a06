"""The website's two forms: `/submit` (submit.py) and `/track` (track.py); what they
share is in form_input.py."""

from __future__ import annotations

from app.web.site.submit import submit_page
from app.web.site.track import track_page

__all__ = ["submit_page", "track_page"]
