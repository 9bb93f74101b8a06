"""`Petition.workingDaysLeft`: the days an open petition's agency has left, on Vietnam's
calendar, counted as the deadline is: 20 on the day the clock starts, down with each
working day elapsed; null while no deadline runs."""

from __future__ import annotations

from tests.support.workflow import Workflow

FIELDS = "status workingDaysLeft workingDaysElapsed deadlineAt"
QUERY = "query($c: String!) { petition(trackingCode: $c) { " + FIELDS + " } }"


def _read(workflow: Workflow, code: str) -> dict[str, object]:
    return workflow.server.gql(QUERY, {"c": code})["petition"]  # type: ignore[no-any-return]


def test_an_open_petition_has_its_days_left_and_a_settled_one_none(workflow: Workflow) -> None:
    submitted = workflow.submit()
    code = submitted["trackingCode"]
    assert _read(workflow, code)["workingDaysLeft"] is None
    petition, secret = workflow.assigned()
    assigned = _read(workflow, petition["trackingCode"])
    assert assigned["workingDaysLeft"] == 20 - assigned["workingDaysElapsed"] == 20
    answered = workflow.step("answer", workflow.step("acknowledge", petition, secret), secret)
    assert _read(workflow, answered["trackingCode"])["workingDaysLeft"] is None


def test_every_open_petitions_days_left_and_elapsed_add_up(workflow: Workflow) -> None:
    rows = workflow.server.gql(
        "{ petitions(first: 100, filter: {statuses: [ASSIGNED, IN_PROGRESS]}) { nodes { "
        + FIELDS
        + " isOverdue } } }"
    )["petitions"]["nodes"]
    for row in rows:
        assert row["workingDaysLeft"] == max(0, 20 - row["workingDaysElapsed"]), row
        if row["isOverdue"]:
            assert row["workingDaysLeft"] == 0
