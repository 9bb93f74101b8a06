"""Descriptions that stand, word for word, on elements of more than one schema module.

A description repeated within one module is a constant (or a field helper) at the top of
that module; only those shared across modules are here.
"""

FIRST_SUBMISSION_DATE = (
    "First local date (Asia/Ho_Chi_Minh) of submission, inclusive; null for no lower bound."
)
LAST_SUBMISSION_DATE = "Last local date of submission, inclusive; null for no upper bound."

CHANNEL_FILTER = "Petitions from this channel only."
KIND_FILTER = "Petitions of this kind only."

PETITION_SUBJECT = "What it is about."
