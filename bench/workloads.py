"""The HTTP workloads of `bench/run`: GraphQL documents and the wrk scripts that send them."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from urllib.parse import quote

W1 = """query W1 { petitions(first: 50, filter: {statuses: [ANSWERED, CLOSED]},
  orderBy: {field: ANSWERED_AT, direction: DESC}) { edges { node {
    trackingCode title status answeredAt
    agency { code name } field { code name }
    latestAnswer { body answeredAt } rating { score } } } } }"""

W2 = """query W2 { petitions(first: 20, filter: {search: "thu tuc dat dai",
  fieldCodes: ["DAT_DAI"], provinceCodes: ["01", "79", "48"]}) { totalCount edges { node {
    trackingCode title status submittedAt agency { code } } } } }"""

W3 = """query W3($code: String!) { petition(trackingCode: $code) {
  trackingCode title status deadlineAt isOverdue agency { code name }
  events(first: 50) { edges { node { action fromStatus toStatus at note } } } } }"""

W4 = """query W4($from: Date!, $to: Date!) { agency(code: "BTC") {
  scorecard(from: $from, to: $to) { received answered answeredOnTime onTimeRate overdueOpen
    medianResponseWorkingDays p90ResponseWorkingDays averageRating ratingCounts } } }"""

W5 = """mutation W5($input: SubmitPetitionInput!) { submitPetition(input: $input) {
  trackingCode userErrors { code } } }"""


@dataclass(frozen=True)
class Workload:
    name: str
    description: str
    lua: str


def _lua(text: str) -> str:
    """A Lua string literal: wrk's LuaJIT knows no \\u escapes, so keep UTF-8 as it is."""
    return json.dumps(text, ensure_ascii=False)


def _post(body: dict[str, object]) -> str:
    encoded = _lua(json.dumps(body, ensure_ascii=False))
    return f"""wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = {encoded}
"""


def persisted(query: str) -> dict[str, object]:
    """The `extensions` of an automatic persisted query (Apollo's protocol)."""
    sha = hashlib.sha256(query.encode()).hexdigest()
    return {"persistedQuery": {"version": 1, "sha256Hash": sha}}


def _persisted_get(query: str) -> str:
    """A GET that sends the document's hash alone, as Apollo's `useGETForHashedQueries`."""
    extensions = quote(json.dumps(persisted(query), separators=(",", ":")))
    return f"""wrk.method = "GET"
wrk.path = {_lua("/graphql?extensions=" + extensions)}
"""


def _rotating(query: str, codes: list[str]) -> str:
    """A wrk script that asks for a different petition on each request."""
    template = json.dumps({"query": query, "variables": {"code": "CODE"}}, ensure_ascii=False)
    prefix, suffix = template.split('"CODE"')
    table = ", ".join(json.dumps(code) for code in codes)
    return f"""wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local codes = {{{table}}}
local before, after = {_lua(prefix)}, {_lua(suffix)}
local i = 0
request = function()
  i = i % #codes + 1
  return wrk.format(nil, nil, nil, before .. '"' .. codes[i] .. '"' .. after)
end
"""


def _submissions() -> str:
    """Distinct idempotency keys per thread and request, so every submit is a new petition."""
    input_ = {
        "channel": "CITIZEN",
        "kind": "REFLECTION",
        "subject": "ADMINISTRATIVE_PROCEDURE",
        "title": "Thủ tục cấp giấy phép xây dựng nhà ở riêng lẻ còn chậm",
        "body": "Hồ sơ xin cấp giấy phép xây dựng nộp đã hơn hai mươi ngày làm việc "
        "nhưng chưa có kết quả, đề nghị cơ quan có thẩm quyền xem xét.",
        "fieldCode": "XAY_DUNG",
        "provinceCode": "01",
        "petitioner": {"fullName": "Trần Văn Bình", "phone": "0987654321"},
        "idempotencyKey": "KEY",
    }
    template = json.dumps({"query": W5, "variables": {"input": input_}}, ensure_ascii=False)
    prefix, suffix = template.split('"KEY"')
    return f"""wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local counter = 0
local thread_id = tostring(math.random(1, 1000000000))
setup = function(thread) thread:set("id", tostring(math.random(1, 1000000000))) end
init = function(args) thread_id = id or thread_id end
request = function()
  counter = counter + 1
  local key = '"bench-' .. thread_id .. '-' .. counter .. '-' .. tostring(os.time()) .. '"'
  return wrk.format(nil, nil, nil, {_lua(prefix)} .. key .. {_lua(suffix)})
end
"""


def workloads(tracking_codes: list[str], quarter: tuple[str, str]) -> list[Workload]:
    return [
        Workload(
            "W1",
            "50 newest answered petitions + agency, field, answer, rating",
            _post({"query": W1}),
        ),
        Workload("W1G", "W1 as a persisted query: GET with its hash alone", _persisted_get(W1)),
        Workload(
            "W2", "diacritics-free search, field + province filter, 20 a page", _post({"query": W2})
        ),
        Workload("W3", "petition(trackingCode) with its events", _rotating(W3, tracking_codes)),
        Workload(
            "W4",
            "one agency's scorecard for the last quarter",
            _post({"query": W4, "variables": {"from": quarter[0], "to": quarter[1]}}),
        ),
        Workload("W5", "submitPetition, distinct idempotency keys", _submissions()),
    ]


FLOOR = Workload("FLOOR", "W1's data from one SQL statement + orjson (bench/floor.py)", "")
