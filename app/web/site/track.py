"""`/track`: the petitioner's own view of their petition, by tracking code and secret,
and, once it is answered, their rating (`rateAnswer`) or follow-up (`followUpPetition`).

Every step is a POST to `/track` whose `action` (view, rate or follow_up) says what to
do: the tracking code and the secret travel in the form body alone, in hidden fields of
the forms of the page that shows the petition, and never in an address.
`petitionForPetitioner` is read after each action, so the page shows what it left.
"""

from __future__ import annotations

import re
from typing import Any

import segno
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import Response

from app.services.transitions import MAX_NOTE
from app.web.site.api import Problem, SiteApi, user_errors
from app.web.site.form_input import (
    FieldErrors,
    Form,
    FormRefused,
    check_csrf,
    field_errors,
    read_form,
    with_token,
)
from app.web.site.language import N_, translations
from app.web.site.pages import BadParameter, failed, text
from app.web.site.security import csrf_token
from app.web.site.templating import Visit, render

ACTIONS = ("view", "rate", "follow_up", "receipt")
MAX_TRACKING_CODE = 40
MAX_SECRET = 200
"""Longer than any tracking code or secret pakn gives (PAKN-2026-000123; 43 or 64
characters): a longer value is refused before the API is asked."""
CREDENTIALS = ("trackingCode", "secret")
FORM_NAMES = {"rate": ("score", "comment"), "follow_up": ("body",)}
ANCHORS = {"score": "score-1"}
FORMS_SHOWN = ("ANSWERED",)
"""The statuses in which the view carries the rating and follow-up forms (tracked.html):
in any other, an error of theirs (the petition moved on meanwhile) is said above the
view, linked to no input."""
SCORES = (1, 2, 3, 4, 5)
VERSION = re.compile(r"[0-9]{1,9}")
SCORE = re.compile(r"-?[0-9]{1,3}")
DONE = {
    "rate": N_("Thank you: your rating is recorded and the petition is closed."),
    "follow_up": N_("Your follow-up is recorded: the petition is open again for an answer."),
}


def _credential_problems(code: str, secret: str) -> list[Problem]:
    problems = []
    for name, value, most in (
        ("trackingCode", code, MAX_TRACKING_CODE),
        ("secret", secret, MAX_SECRET),
    ):
        if not value:
            problems.append(Problem("REQUIRED", "", ["input", name]))
        elif len(value) > most:
            problems.append(Problem("TOO_LONG", "", ["input", name]))
    return problems


def _version(form: Form) -> int | None:
    """The hidden `expectedVersion`: None when absent, FormRefused when not a number."""
    value = form.text("expectedVersion").strip()
    if not value:
        return None
    if not VERSION.fullmatch(value):
        raise FormRefused("INVALID_FORM", 400)
    return int(value)


def _rating(form: Form, code: str, secret: str, version: int | None) -> dict[str, Any] | None:
    """The RateAnswerInput of the rate form; None when the score is not a number (which
    the API's Int could not carry)."""
    score = form.text("score").strip()
    if not SCORE.fullmatch(score):
        return None
    return {
        "trackingCode": code,
        "secret": secret,
        "score": int(score),
        "comment": form.optional("comment"),
        "expectedVersion": version,
    }


def qr_svg(text: str, label: str) -> Markup:
    """`text` as a QR code, an SVG drawn with attributes only (the site's policy lets no
    inline style through), named for screen readers."""
    svg = segno.make(text, error="m").svg_inline(scale=4, svgclass="qr", lineclass=None)
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1))


def track_page(api: SiteApi):  # type: ignore[no-untyped-def]
    settings = api.graphql.settings

    def ask(
        request: Request,
        visit: Visit,
        code: str = "",
        errors: FieldErrors | None = None,
        status: int = 200,
    ) -> Response:
        token = csrf_token(request)
        response = render(
            visit,
            "track.html",
            status=status,
            private=True,
            values={"trackingCode": code},
            errors=errors or FieldErrors(),
            csrf=token,
            max_code=MAX_TRACKING_CODE,
            max_secret=MAX_SECRET,
        )
        return with_token(response, request, token)

    def refused_credentials(
        request: Request, visit: Visit, code: str, problems: list[Problem]
    ) -> Response:
        errors = field_errors(problems, visit.lang, CREDENTIALS)
        return ask(request, visit, code[:MAX_TRACKING_CODE], errors, status=422)

    async def show(
        request: Request,
        visit: Visit,
        code: str,
        secret: str,
        *,
        action: str = "view",
        errors: FieldErrors | None = None,
        entered: dict[str, str] | None = None,
        notice: str | None = None,
        status: int = 200,
    ) -> Response:
        found = await own_view(request, visit, code, secret)
        if isinstance(found, Response):
            return found
        petition, provinces = found
        token = csrf_token(request)
        none = FieldErrors()
        forms_shown = petition["status"] in FORMS_SHOWN
        if errors and not forms_shown:
            errors = errors.unplaced()
        response = render(
            visit,
            "tracked.html",
            status=status,
            private=True,
            petition=petition,
            forms_shown=forms_shown,
            provinces=provinces,
            secret=secret,
            csrf=token,
            errors=errors or none,
            rate_errors=(errors or none) if action == "rate" else none,
            follow_up_errors=(errors or none) if action == "follow_up" else none,
            entered=entered or {},
            notice=notice,
            scores=SCORES,
            max_note=MAX_NOTE,
        )
        return with_token(response, request, token)

    async def own_view(
        request: Request, visit: Visit, code: str, secret: str
    ) -> tuple[dict[str, Any], dict[str, str]] | Response:
        """The petitioner's view of their petition and the provinces' names, or the page
        that refuses the credentials (or reports the API's problem)."""
        result = await api.run(request, "track", {"trackingCode": code, "secret": secret})
        if result.problems or result.data is None:
            return failed(visit, result.problems)
        petition = result.data["petitionForPetitioner"]
        if petition is None:
            invalid = [Problem("INVALID_SECRET", "", ["input", "secret"])]
            return refused_credentials(request, visit, code, invalid)
        return petition, {p["code"]: p["name"] for p in result.data["provinces"]}

    async def receipt(request: Request, visit: Visit, code: str, secret: str) -> Response:
        """The receipt to print and hand over: the tracking code, the secret, and a QR
        code of the petition's public page (at PAKN_PUBLIC_URL)."""
        found = await own_view(request, visit, code, secret)
        if isinstance(found, Response):
            return found
        petition, _provinces = found
        address = f"{settings.public_url.rstrip('/')}/p/{petition['trackingCode']}"
        return render(
            visit,
            "receipt.html",
            private=True,
            petition=petition,
            secret=secret,
            address=address,
            qr=qr_svg(address, translations(visit.lang).gettext("QR code of the petition's page")),
        )

    async def act(request: Request, visit: Visit, form: Form, action: str) -> Response:
        code, secret = form.text("trackingCode").strip(), form.text("secret").strip()
        problems = _credential_problems(code, secret)
        if problems:
            return refused_credentials(request, visit, code, problems)
        if action == "view":
            return await show(request, visit, code, secret)
        if action == "receipt":
            return await receipt(request, visit, code, secret)
        version = _version(form)
        names = FORM_NAMES[action]
        entered = {name: form.text(name) for name in names if name in form.values}
        if action == "rate":
            rating = _rating(form, code, secret, version)
            if rating is None:
                problems = [Problem("INVALID_SCORE", "", ["input", "score"])]
            else:
                problems = await mutate(request, "rate", "rateAnswer", rating)
        else:
            follow_up = {
                "trackingCode": code,
                "secret": secret,
                "body": form.text("body"),
                "expectedVersion": version,
            }
            problems = await mutate(request, "follow_up", "followUpPetition", follow_up)
        if any(problem.code == "INVALID_SECRET" for problem in problems):
            secret_problems = [Problem("INVALID_SECRET", "", ["input", "secret"])]
            return refused_credentials(request, visit, code, secret_problems)
        if problems:
            errors = field_errors(problems, visit.lang, names, ANCHORS)
            return await show(
                request,
                visit,
                code,
                secret,
                action=action,
                errors=errors,
                entered=entered,
                status=422,
            )
        notice = translations(visit.lang).gettext(DONE[action])
        return await show(request, visit, code, secret, notice=notice)

    async def mutate(
        request: Request, document: str, field: str, input: dict[str, Any]
    ) -> list[Problem]:
        result = await api.run(request, document, {"input": input})
        if result.problems or result.data is None:
            return result.problems or [Problem("INTERNAL_SERVER_ERROR", "")]
        return user_errors(result.data[field])

    async def page(request: Request) -> Response:
        visit = Visit.of(request)
        if request.method != "POST":
            try:
                return ask(request, visit, text(request, "code") or "")
            except BadParameter as problem:
                return problem.page(visit)
        try:
            form = await read_form(request)
            check_csrf(request, form)
            action = form.text("action") or "view"
            if action not in ACTIONS:
                raise FormRefused("INVALID_FORM", 400)
            return await act(request, visit, form, action)
        except FormRefused as refused:
            return refused.page(visit)

    return page
