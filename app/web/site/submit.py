"""`/submit`: a citizen's or a business's petition, through `submitPetition`.

The form's inputs bear the names of `SubmitPetitionInput`'s fields, and the API's
userErrors come back beside them (their `field` path ends with that name). Each rendering
of the form carries a new random `idempotencyKey`, kept when the form comes back with
errors: sending the same form twice (a double click, a reload of the result) returns the
same petition and the same secret instead of filing a second one. The secret is shown on
the result page only, never in an address, a redirect or a log line.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from app.domain.attachments import BY_NAME, EXTENSIONS
from app.domain.validation import (
    ADDRESS_MAX_LENGTH,
    BODY_LENGTH,
    EMAIL_MAX_LENGTH,
    FULL_NAME_LENGTH,
    ORGANIZATION_NAME_LENGTH,
    TITLE_LENGTH,
)
from app.domain.vocabulary import Channel, PetitionKind, PetitionSubject
from app.web.site.api import Problem, SiteApi, user_errors
from app.web.site.form_input import (
    FieldErrors,
    Form,
    FormRefused,
    check_csrf,
    field_errors,
    new_key,
    read_form,
    well_formed_key,
    with_token,
)
from app.web.site.pages import BadParameter, choice, failed
from app.web.site.security import csrf_token
from app.web.site.templating import Skeletons, Visit, render, render_html, respond

CHANNELS = tuple(Channel)
KINDS = tuple(PetitionKind)
SUBJECTS = tuple(PetitionSubject)
CHOICES = {"channel": CHANNELS, "kind": KINDS, "subject": SUBJECTS}
PETITIONER_TEXTS = ("fullName", "email", "phone", "address", "organizationName", "taxCode")
TEXTS = ("title", "body", "fieldCode", "provinceCode", *PETITIONER_TEXTS)
NAMES = (*CHOICES, *TEXTS, "isPrivate", "notifyByEmail", "attachments")
MAX_LENGTH = {
    "title": TITLE_LENGTH[1],
    "body": BODY_LENGTH[1],
    "fullName": FULL_NAME_LENGTH[1],
    "email": EMAIL_MAX_LENGTH,
    "phone": 30,
    "address": ADDRESS_MAX_LENGTH,
    "organizationName": ORGANIZATION_NAME_LENGTH[1],
    "taxCode": 14,
}
"""The `maxlength` of each text input: the API's own limit (a phone number and a tax code
have a format rather than a length: room for its separators)."""
LIMITS = {
    "title": TITLE_LENGTH,
    "body": BODY_LENGTH,
    "fullName": FULL_NAME_LENGTH,
    "organizationName": ORGANIZATION_NAME_LENGTH,
}
ANCHORS = {"channel": "channel-CITIZEN", "kind": "kind-REFLECTION"}
SIMILAR_TITLE = TITLE_LENGTH[1]
SIMILAR_BODY = BODY_LENGTH[1]


def _choices(form: Form) -> list[Problem]:
    """The radio buttons' and the select's values: the API's enums, which a request
    cannot carry another value of, so the site checks them before it asks."""
    problems = []
    for name, allowed in CHOICES.items():
        value = form.text(name)
        if value not in allowed:
            code = "UNKNOWN_CODE" if value else "REQUIRED"
            problems.append(Problem(code, "", ["input", name]))
    return problems


def submission(form: Form, key: str) -> dict[str, Any]:
    """The `SubmitPetitionInput` of a posted form."""
    return {
        "channel": form.text("channel"),
        "kind": form.text("kind"),
        "subject": form.text("subject"),
        "title": form.text("title"),
        "body": form.text("body"),
        "fieldCode": form.optional("fieldCode"),
        "provinceCode": form.optional("provinceCode"),
        "isPrivate": form.checked("isPrivate"),
        "idempotencyKey": key,
        "challengeSolution": form.optional("challengeSolution"),
        "petitioner": {
            "fullName": form.text("fullName"),
            **{name: form.optional(name) for name in PETITIONER_TEXTS[1:]},
            "notifyByEmail": form.checked("notifyByEmail"),
        },
    }


BLANK = Skeletons()
"""The blank form, per language and reference data: the same HTML for every visitor but
the CSRF token and the idempotency key (rendering it took as long as its query)."""


def submit_page(api: SiteApi):  # type: ignore[no-untyped-def]
    settings = api.graphql.settings

    async def show(
        request: Request,
        visit: Visit,
        values: dict[str, Any],
        key: str,
        errors: FieldErrors | None = None,
        similar: list[dict[str, Any]] | None = None,
        status: int = 200,
    ) -> Response:
        options = await api.run(request, "submit_form", {})
        if not options.ok or options.data is None:
            return failed(visit, options.problems)
        token = csrf_token(request)
        reference = {name: options.data[name] for name in ("fields", "provinces")}
        challenge = options.data["challenge"]
        page = dict(
            options=reference,
            pow_required=settings.submit_pow,
            uploads={
                "most": settings.max_uploads,
                "bytes": settings.max_upload_bytes,
                "types": settings.upload_types,
                "accept": ",".join(
                    f".{EXTENSIONS[BY_NAME[name]]}" for name in settings.upload_types
                ),
            },
            channels=CHANNELS,
            kinds=KINDS,
            subjects=SUBJECTS,
            values=values,
            errors=errors or FieldErrors(),
            max_length=MAX_LENGTH,
            limits=LIMITS,
        )
        if errors is None and not similar:
            fill = {"key": key, "csrf": token, "challenge": challenge}
            depends_on = [reference, values, page["pow_required"]]
            html = BLANK.render(visit, "submit.html", fill, depends_on, **page, similar=[])
        else:
            html = render_html(
                visit,
                "submit.html",
                **page,
                similar=similar or [],
                key=key,
                csrf=token,
                challenge=challenge,
            )
        response = respond(visit, html, status, private=True)
        return with_token(response, request, token)

    async def similar_to(request: Request, form: Form) -> list[dict[str, Any]]:
        """Petitions like the one posted, for a visitor without the script that suggests
        them as they type; none when the API finds none or refuses the text."""
        title = form.text("title").strip()
        if not title:
            return []
        variables = {
            "title": title[:SIMILAR_TITLE],
            "body": form.text("body")[:SIMILAR_BODY] or None,
            "fieldCode": form.optional("fieldCode"),
        }
        found = await api.run(request, "similar", variables)
        return list(found.data["similarPetitions"]) if found.ok and found.data else []

    async def get(request: Request, visit: Visit) -> Response:
        try:
            channel = choice(request, "channel", CHANNELS, Channel.CITIZEN)
        except BadParameter as problem:
            return problem.page(visit)
        return await show(request, visit, {"channel": channel, "kind": "REFLECTION"}, new_key())

    async def post(request: Request, visit: Visit) -> Response:
        try:
            form = await read_form(request, "attachments", settings.max_uploads)
            check_csrf(request, form)
        except FormRefused as refused:
            return refused.page(visit)
        key = form.text("idempotencyKey")
        key = key if well_formed_key(key) else new_key()
        values = {name: form.text(name) for name in NAMES if name in form.values}
        problems = _choices(form)
        if not problems:
            result = await api.run(
                request, "submit", {"input": {**submission(form, key), "attachments": form.files}}
            )
            if result.problems or result.data is None:
                return failed(visit, result.problems)
            payload = result.data["submitPetition"]
            problems = user_errors(payload)
            if not problems:
                return render(visit, "submitted.html", private=True, payload=payload)
        if any(problem.code == "IDEMPOTENCY_KEY_REUSED" for problem in problems):
            key = new_key()
        errors = field_errors(problems, visit.lang, NAMES, ANCHORS)
        limited = any(problem.code == "RATE_LIMITED" for problem in problems)
        similar = await similar_to(request, form)
        return await show(
            request, visit, values, key, errors, similar, status=429 if limited else 422
        )

    async def page(request: Request) -> Response:
        visit = Visit.of(request)
        if request.method == "POST":
            return await post(request, visit)
        return await get(request, visit)

    return page
