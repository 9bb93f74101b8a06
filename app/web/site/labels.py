"""The words the site shows for the API's enum values (statuses, actions, metrics, ...)."""

from __future__ import annotations

from app.web.site.language import N_

LABELS: dict[str, str] = {
    # statuses
    "SUBMITTED": N_("Submitted"),
    "REJECTED": N_("Rejected"),
    "ASSIGNED": N_("Assigned"),
    "IN_PROGRESS": N_("In progress"),
    "TRANSFER_REQUESTED": N_("Transfer requested"),
    "ANSWERED": N_("Answered"),
    "ESCALATED": N_("Escalated"),
    "CLOSED": N_("Closed"),
    # actions
    "SUBMIT": N_("Submitted"),
    "ASSIGN": N_("Assigned to an agency"),
    "REJECT": N_("Rejected"),
    "ACKNOWLEDGE": N_("Taken up by the agency"),
    "REQUEST_TRANSFER": N_("Transfer requested by the agency"),
    "TRANSFER": N_("Transferred to another agency"),
    "PROGRESS_UPDATE": N_("Progress update"),
    "ANSWER": N_("Answer published"),
    "RATE": N_("Answer rated"),
    "FOLLOW_UP": N_("Followed up by the petitioner"),
    "ESCALATE": N_("Escalated to the Government"),
    "FEATURE": N_("Featured by the Government Office"),
    "URGE": N_("Urged by the Government Office"),
    "OVERDUE": N_("Deadline passed without a response"),
    "CONTACT_ERASED": N_("Contact data erased"),
    "SECRET_REISSUED": N_("Petitioner's secret reissued"),
    # ranking metrics
    "ON_TIME_RATE": N_("On-time rate"),
    "MEDIAN_RESPONSE": N_("Median response (working days)"),
    "AVERAGE_RATING": N_("Average rating"),
    "OVERDUE_OPEN": N_("Overdue now"),
    "MOST_URGED": N_("Share urged"),
    # channels, kinds, subjects
    "CITIZEN": N_("Citizen"),
    "BUSINESS": N_("Business"),
    "REFLECTION": N_("Report (phản ánh)"),
    "RECOMMENDATION": N_("Proposal (kiến nghị)"),
    "MECHANISM": N_("A mechanism"),
    "POLICY": N_("A policy"),
    "ADMINISTRATIVE_PROCEDURE": N_("An administrative procedure"),
    "OFFICIAL_CONDUCT": N_("An official's conduct"),
    "INITIATIVE": N_("An initiative"),
    # intake channels
    "ONLINE": N_("Online"),
    "LETTER": N_("Letter"),
    "PHONE": N_("Phone"),
    "FAX": N_("Fax"),
    "EMAIL": N_("E-mail"),
    "IN_PERSON": N_("In person"),
    # actors
    "PETITIONER": N_("Petitioner"),
    "COORDINATOR": N_("Government Office"),
    "AGENCY_OFFICER": N_("Agency"),
    "SYSTEM": N_("Automatic"),
    # agency kinds
    "GOVERNMENT_OFFICE": N_("Government Office"),
    "MINISTRY": N_("Ministry"),
    "MINISTERIAL_AGENCY": N_("Ministerial-level agency"),
    "PROVINCE": N_("Province"),
}
STATUSES = (
    "SUBMITTED",
    "ASSIGNED",
    "IN_PROGRESS",
    "TRANSFER_REQUESTED",
    "ESCALATED",
    "ANSWERED",
    "CLOSED",
    "REJECTED",
)
