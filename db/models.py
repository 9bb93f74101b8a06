"""The tables of pakn.

Petitions carry denormalised facts that the public list filters and orders by
(status, agency, deadline, first answer), kept current by the workflow in the same
transaction as the event that changes them. The petitioner's personal data lives apart in
`petitioner_contacts` and is never joined by a public query.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from db.column_types import Instant

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


STATS_COLUMNS = (
    "submitted_at",
    "agency_id",
    "field_id",
    "province_code",
    "channel",
    "kind",
    "status",
    "deadline_at",
    "answered_at",
    "answered_on_time",
    "response_working_days",
    "rating_score",
    "escalated_at",
    "follow_up_count",
    "urge_count",
    "overdue_count",
)
"""Every column the statistics read, in one covering index led by the submission time: a
window is a range of it, and no statistics query reads the (wide) table itself. A twin led
by the agency serves scorecards and agency filters."""

OVERDUE_DUE_WHERE = (
    "status IN ('ASSIGNED', 'ESCALATED', 'IN_PROGRESS', 'TRANSFER_REQUESTED')"
    " AND (overdue_deadline_at IS NULL OR overdue_deadline_at < deadline_at)"
)
"""`ix_petitions_overdue_due`'s WHERE (migration 0011): open petitions whose latest deadline
has no OVERDUE yet, the only ones the overdue clock looks at; `app.services.overdue.due`
spells the same terms."""

URGE_DUE_WHERE = (
    "status IN ('ASSIGNED', 'IN_PROGRESS', 'TRANSFER_REQUESTED')"
    " AND overdue_deadline_at = deadline_at"
    " AND (last_urged_at IS NULL OR last_urged_at < deadline_at)"
)
"""`ix_petitions_urge_due`'s WHERE (migration 0011): petitions an agency holds whose latest
deadline has its OVERDUE and nobody urged since: those PAKN_AUTO_URGE_DAYS may urge."""


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Agency(Base):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    province_code: Mapped[str | None] = mapped_column(String(8))
    search_text: Mapped[str] = mapped_column(String(400), default="")


class Field(Base):
    __tablename__ = "fields"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))


class Petition(Base):
    __tablename__ = "petitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tracking_code: Mapped[str] = mapped_column(String(32), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(400))
    body: Mapped[str] = mapped_column(Text)
    is_private: Mapped[bool] = mapped_column(Boolean, default=False)
    field_id: Mapped[int | None] = mapped_column(ForeignKey("fields.id"))
    province_code: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(24))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    submitted_at: Mapped[datetime] = mapped_column(Instant())
    accepted_at: Mapped[datetime | None] = mapped_column(Instant())
    intake_channel: Mapped[str] = mapped_column(String(20), server_default="ONLINE")
    """`IntakeChannel`: ONLINE, or how an officer who entered it received it."""
    clock_started_at: Mapped[datetime | None] = mapped_column(Instant())
    deadline_at: Mapped[datetime | None] = mapped_column(Instant())
    answered_at: Mapped[datetime | None] = mapped_column(Instant())
    response_working_days: Mapped[int | None] = mapped_column(Integer)
    answered_on_time: Mapped[bool | None] = mapped_column(Boolean)
    closed_at: Mapped[datetime | None] = mapped_column(Instant())
    follow_up_count: Mapped[int] = mapped_column(Integer, default=0)
    escalation_reason: Mapped[str | None] = mapped_column(String(40))
    rejection_reason: Mapped[str | None] = mapped_column(String(40))
    duplicate_of: Mapped[str | None] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer, default=1)
    search_text: Mapped[str] = mapped_column(Text, default="")
    secret_hash: Mapped[str | None] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(100))
    submission_fingerprint: Mapped[str | None] = mapped_column(String(64))
    client_fingerprint: Mapped[str | None] = mapped_column(String(64))
    escalated_at: Mapped[datetime | None] = mapped_column(Instant())
    """The first escalation to the Government; never cleared (a transfer keeps it)."""
    rating_score: Mapped[int | None] = mapped_column(SmallInteger)
    """The rating's score, copied here when it is given so statistics need no join."""
    featured_at: Mapped[datetime | None] = mapped_column(Instant())
    """When the Government Office last featured the petition as useful (featurePetition)."""
    featured_note: Mapped[str | None] = mapped_column(Text)
    contact_erased_at: Mapped[datetime | None] = mapped_column(Instant())
    """When the petitioner's contact data was erased (on request or after the retention
    period, `app.services.erasure`); null while it is kept."""
    urge_count: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    """URGE events of the petition (the Government Office urging the agency)."""
    last_urged_at: Mapped[datetime | None] = mapped_column(Instant())
    """The latest URGE's time: at most one URGE a working day."""
    overdue_count: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    """OVERDUE events of the petition: deadlines that passed without answer or update."""
    overdue_deadline_at: Mapped[datetime | None] = mapped_column(Instant())
    """The deadline the latest OVERDUE event was written for: a deadline equal to it has its
    event; a later one (the clock restarted since) has not yet."""

    agency: Mapped[Agency | None] = relationship(lazy="raise")
    field: Mapped[Field | None] = relationship(lazy="raise")
    rating: Mapped[Rating | None] = relationship(lazy="raise", uselist=False)

    __table_args__ = (
        Index("ix_petitions_submitted", "submitted_at", "id"),
        Index("ix_petitions_deadline", "deadline_at", "id"),
        Index("ix_petitions_answered", "answered_at", "id"),
        Index("ix_petitions_status_submitted", "status", "submitted_at", "id"),
        Index("ix_petitions_agency_submitted", "agency_id", "submitted_at", "id"),
        Index("ix_petitions_field_submitted", "field_id", "submitted_at", "id"),
        Index("ix_petitions_province_submitted", "province_code", "submitted_at", "id"),
        Index("ix_petitions_channel_submitted", "channel", "submitted_at", "id"),
        Index("ix_petitions_kind_submitted", "kind", "submitted_at", "id"),
        Index("ix_petitions_open_deadline", "status", "deadline_at"),
        Index("ix_petitions_client_submitted", "client_fingerprint", "submitted_at"),
        Index("ix_petitions_idempotency_key", "idempotency_key", unique=True),
        Index("ix_petitions_featured", "featured_at"),
        Index(
            "ix_petitions_contact_kept",
            "submitted_at",
            "id",
            sqlite_where=text("contact_erased_at IS NULL"),
            postgresql_where=text("contact_erased_at IS NULL"),
        ),
        Index(
            "ix_petitions_overdue_due",
            "deadline_at",
            "id",
            sqlite_where=text(OVERDUE_DUE_WHERE),
            postgresql_where=text(OVERDUE_DUE_WHERE),
        ),
        Index(
            "ix_petitions_urge_due",
            "deadline_at",
            "id",
            sqlite_where=text(URGE_DUE_WHERE),
            postgresql_where=text(URGE_DUE_WHERE),
        ),
        Index("ix_petitions_stats", *STATS_COLUMNS),
        Index("ix_petitions_agency_stats", "agency_id", *STATS_COLUMNS[:1], *STATS_COLUMNS[2:]),
    )


class StatsRollup(Base):
    """Additive counts of the petitions submitted in one local period, per dimension key and
    response time; kept current by `db.rollup` in the transaction of every write."""

    __tablename__ = "petition_stats_rollup"

    dimension: Mapped[str] = mapped_column(String(8), primary_key=True)
    """'all', 'agency', 'field' or 'province'."""
    grain: Mapped[str] = mapped_column(String(1), primary_key=True)
    """'Y' (year), 'Q' (quarter) or 'M' (month)."""
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    """'2026', '2026-Q3' or '2026-07': when the petitions were submitted, in local time."""
    key: Mapped[str] = mapped_column(String(16), primary_key=True)
    """The agency or field id, or the province code, as text; '' when the petition has none
    (and always for 'all')."""
    response_days: Mapped[int] = mapped_column(Integer, primary_key=True)
    """Working days to the first answer; -1 for petitions not answered."""
    received: Mapped[int] = mapped_column(Integer, default=0)
    answered: Mapped[int] = mapped_column(Integer, default=0)
    answered_on_time: Mapped[int] = mapped_column(Integer, default=0)
    escalated: Mapped[int] = mapped_column(Integer, default=0)
    follow_ups: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    rated_1: Mapped[int] = mapped_column(Integer, default=0)
    rated_2: Mapped[int] = mapped_column(Integer, default=0)
    rated_3: Mapped[int] = mapped_column(Integer, default=0)
    rated_4: Mapped[int] = mapped_column(Integer, default=0)
    rated_5: Mapped[int] = mapped_column(Integer, default=0)
    open_with_deadline: Mapped[int] = mapped_column(Integer, default=0)
    """Open petitions that have a deadline (some of them overdue)."""
    urged: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    """Petitions urged at least once."""
    overdue_ever: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    """Petitions that went overdue at least once (an OVERDUE event)."""


class OpenDeadlineRollup(Base):
    """How many open petitions submitted in a local period fall due on each local day."""

    __tablename__ = "petition_open_deadlines"

    dimension: Mapped[str] = mapped_column(String(8), primary_key=True)
    grain: Mapped[str] = mapped_column(String(1), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    key: Mapped[str] = mapped_column(String(16), primary_key=True)
    deadline_day: Mapped[str] = mapped_column(String(10), primary_key=True)
    """YYYY-MM-DD of the deadline, in local time."""
    open: Mapped[int] = mapped_column(Integer, default=0)


class PetitionerContact(Base):
    """Personal data: resolved only for the petitioner and the officers handling it."""

    __tablename__ = "petitioner_contacts"

    petition_id: Mapped[int] = mapped_column(
        ForeignKey("petitions.id", ondelete="CASCADE"), primary_key=True
    )
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(String(500))
    organization_name: Mapped[str | None] = mapped_column(String(300))
    tax_code: Mapped[str | None] = mapped_column(String(16))
    notify_by_email: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )
    """The petitioner consents to e-mails about the petition (to `email`)."""


class Assignment(Base):
    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    assigned_at: Mapped[datetime] = mapped_column(Instant())
    ended_at: Mapped[datetime | None] = mapped_column(Instant())
    end_reason: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (Index("ix_assignments_petition", "petition_id", "id"),)


class Answer(Base):
    __tablename__ = "answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    body: Mapped[str] = mapped_column(Text)
    answered_at: Mapped[datetime] = mapped_column(Instant())
    signature: Mapped[str | None] = mapped_column(String(128))
    key_id: Mapped[str | None] = mapped_column(String(64))
    seal_version: Mapped[int] = mapped_column(Integer)
    """The canonical form the signature covers (`app.domain.signing`): 1 signs the body,
    2 its SHA-256 (every answer sealed since migration 0007)."""
    body_sha256: Mapped[str] = mapped_column(String(64))
    """Lower-case hex SHA-256 of the body (UTF-8, NFC): public even when the body is not."""

    agency: Mapped[Agency] = relationship(lazy="raise")

    __table_args__ = (Index("ix_answers_petition", "petition_id", "id"),)


class Blob(Base):
    """A file's bytes, stored once however many attachments name them (by their SHA-256),
    in `blob_chunks` of `db.blobs.CHUNK` bytes: written and read a chunk at a time, so no
    file is ever held whole in memory, and kept in the database so that every host
    serves them with no file server."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(Instant())


class BlobChunk(Base):
    __tablename__ = "blob_chunks"

    sha256: Mapped[str] = mapped_column(
        ForeignKey("blobs.sha256", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Attachment(Base):
    """A file attached to a petition (its petitioner's evidence: private unless they
    publish it) or to an answer (the agency's signed dispatch: public)."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"))
    answer_id: Mapped[int | None] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(SmallInteger)
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    is_public: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(Instant())

    __table_args__ = (
        Index("ix_attachments_petition", "petition_id", "position"),
        Index("ix_attachments_sha256", "sha256"),
    )


class Rating(Base):
    __tablename__ = "ratings"

    petition_id: Mapped[int] = mapped_column(
        ForeignKey("petitions.id", ondelete="CASCADE"), primary_key=True
    )
    answer_id: Mapped[int | None] = mapped_column(ForeignKey("answers.id"))
    score: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[datetime] = mapped_column(Instant())


class PetitionEvent(Base):
    """One change of a petition; ids increase in commit order and serve as cursors."""

    __tablename__ = "petition_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime] = mapped_column(Instant())
    actor_role: Mapped[str] = mapped_column(String(24))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    note: Mapped[str | None] = mapped_column(Text)
    is_public: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    previous_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))

    petition: Mapped[Petition] = relationship(lazy="raise")
    agency: Mapped[Agency | None] = relationship(lazy="raise")

    __table_args__ = (
        Index("ix_petition_events_petition", "petition_id", "id"),
        Index("ix_petition_events_action_at", "action", "at", "agency_id"),
    )


class LogEntry(Base):
    """A leaf of the transparency log (#16): the canonical entry of one event
    (`app.domain.log_entry`; an internal event's blinded), its RFC 9162 leaf hash, and the
    salts of the commitments (served beside the text to whoever may read it). Leaf index =
    event id - 1; written in the event's transaction, under the chain lock."""

    __tablename__ = "log_entries"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("petition_events.id", ondelete="CASCADE"), primary_key=True
    )
    entry: Mapped[bytes] = mapped_column(LargeBinary)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary)
    note_salt: Mapped[bytes | None] = mapped_column(LargeBinary)
    title_salt: Mapped[bytes | None] = mapped_column(LargeBinary)
    body_salt: Mapped[bytes | None] = mapped_column(LargeBinary)
    blinding_salt: Mapped[bytes | None] = mapped_column(LargeBinary)
    """An internal event's: its leaf commits to the whole entry with it."""


class LogHash(Base):
    """The Merkle Tree Hash of the full subtree of 256**level leaves number `position` of
    its level (level 1 and up; level 0 is `LogEntry.leaf_hash`): the tiles above level 0,
    derived from the leaves the moment the subtree is complete."""

    __tablename__ = "log_hashes"

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    hash: Mapped[bytes] = mapped_column(LargeBinary)


class LogKey(Base):
    """A signing key of the transparency log, the Government Office's: Ed25519, its private
    half encrypted under the key encryption key like the agencies' sealing keys. Its name is
    the log's origin, fixed by the first key; rotating retires the current key."""

    __tablename__ = "log_keys"

    verifier_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    """The C2SP verifier key, `<name>+<hex key id>+<base64 key>`."""
    name: Mapped[str] = mapped_column(String(150))
    private_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(Instant())
    retired_at: Mapped[datetime | None] = mapped_column(Instant())


class LogCheckpoint(Base):
    """A checkpoint the log issued: the tree's size and root, signed (every one is kept)."""

    __tablename__ = "log_checkpoints"

    tree_size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root: Mapped[bytes] = mapped_column(LargeBinary)
    note: Mapped[str] = mapped_column(Text)
    """The whole C2SP signed note, as issued (the witnesses' cosignatures come beside)."""
    issued_at: Mapped[datetime] = mapped_column(Instant())


class LogCosignature(Base):
    """A witness's cosignature of a checkpoint (C2SP tlog-cosignature), as its line."""

    __tablename__ = "log_cosignatures"

    tree_size: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("log_checkpoints.tree_size"), primary_key=True
    )
    witness_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    line: Mapped[str] = mapped_column(Text)
    cosigned_at: Mapped[datetime] = mapped_column(Instant())


class OfficerToken(Base):
    """A bearer token of an officer; only its hash is stored."""

    __tablename__ = "officer_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(24))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    label: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(Instant())
    revoked_at: Mapped[datetime | None] = mapped_column(Instant())


class AgencyKey(Base):
    """An agency's Ed25519 sealing key. The private half never leaves the server and is
    stored encrypted (AES-256-GCM under the key encryption key, `app.domain.key_wrapping`)."""

    __tablename__ = "agency_keys"

    key_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    public_key: Mapped[str] = mapped_column(String(64))
    private_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(Instant())
    retired_at: Mapped[datetime | None] = mapped_column(Instant())

    __table_args__ = (Index("ix_agency_keys_agency", "agency_id", "created_at"),)


class PersistedQuery(Base):
    """A GraphQL document registered by its SHA-256 (automatic persisted queries), shared
    by every worker and host; `app.services.persisted_queries` bounds the table."""

    __tablename__ = "persisted_queries"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    document: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(Integer)
    used_at: Mapped[datetime] = mapped_column(Instant())

    __table_args__ = (Index("ix_persisted_queries_used_at", "used_at"),)


class SpentChallenge(Base):
    """A bot-check solution already used to submit (`app.domain.challenge`): each is good
    once, so it is kept until its challenge expires, then deleted."""

    __tablename__ = "spent_challenges"

    challenge: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(Instant())

    __table_args__ = (Index("ix_spent_challenges_expires_at", "expires_at"),)


class SchemaReader(Base):
    """One row: the oldest migration whose code can serve the schema as it is now
    (migration 0020; `db.migrate.oldest_reader`)."""

    __tablename__ = "schema_readers"

    oldest_reader: Mapped[str] = mapped_column(String(32), primary_key=True)


class JobHeartbeat(Base):
    """The last run of one background job, by the host that led it then (`db.heartbeats`):
    one row a job, overwritten by every run, read by every host's `/ready`."""

    __tablename__ = "job_heartbeats"

    job: Mapped[str] = mapped_column(String(64), primary_key=True)
    host: Mapped[str] = mapped_column(String(128))
    beat_at: Mapped[datetime] = mapped_column(Instant())
    interval_seconds: Mapped[float] = mapped_column(Float)
    succeeded: Mapped[bool] = mapped_column(Boolean)


class OutboxMessage(Base):
    """A message owed to one recipient about one event: an e-mail to a petitioner or a
    webhook delivery to an endpoint. Written in the transaction of the event, so a message
    exists exactly when its event does; sent by the background sender
    (`app.services.outbox`). One row per (event, channel, recipient), so nothing is queued
    twice."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    """Never reused (AUTOINCREMENT on SQLite too): an e-mail's Message-ID is derived from it."""
    event_id: Mapped[int] = mapped_column(ForeignKey("petition_events.id", ondelete="CASCADE"))
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))
    """'email' or 'webhook'."""
    recipient: Mapped[str] = mapped_column(String(64))
    """Who it is for, without personal data: 'petitioner' for an e-mail (the address is read
    from the contact at sending time), the endpoint's id for a webhook."""
    created_at: Mapped[datetime] = mapped_column(Instant())
    expires_at: Mapped[datetime] = mapped_column(Instant())
    """Given up after this (at most 3 days after `created_at`)."""
    next_attempt_at: Mapped[datetime] = mapped_column(Instant())
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    claimed_at: Mapped[datetime | None] = mapped_column(Instant())
    """When a sender took it for an attempt (committed before it sends)."""
    sent_at: Mapped[datetime | None] = mapped_column(Instant())
    failed_at: Mapped[datetime | None] = mapped_column(Instant())
    """Given up: expired, refused for good, or its recipient gone."""
    last_error: Mapped[str | None] = mapped_column(String(500))

    __table_args__ = (
        Index("ix_outbox_message", "event_id", "channel", "recipient", unique=True),
        Index(
            "ix_outbox_pending",
            "next_attempt_at",
            "id",
            sqlite_where=text("sent_at IS NULL AND failed_at IS NULL"),
            postgresql_where=text("sent_at IS NULL AND failed_at IS NULL"),
        ),
        Index("ix_outbox_petition", "petition_id", "channel"),
        {"sqlite_autoincrement": True},
    )


class WebhookEndpoint(Base):
    """A receiver of deliveries (`pakn webhook add`): a newsroom's, taking public events, or
    an agency system's (`agency_id`), taking its agency's internal events too. Removing one
    deletes its row; ids are never reused (AUTOINCREMENT on SQLite), so an outbox row's
    recipient never comes to name another endpoint."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[bytes] = mapped_column(LargeBinary)
    """The signing secret, encrypted under the key encryption key like the agencies'
    sealing keys (`app.domain.key_wrapping`), bound to the id `webhook-endpoint:<id>`."""
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    actions: Mapped[str | None] = mapped_column(String(400))
    """The actions delivered, comma-separated; None: every action."""
    created_at: Mapped[datetime] = mapped_column(Instant())
    disabled_at: Mapped[datetime | None] = mapped_column(Instant())
    disabled_reason: Mapped[str | None] = mapped_column(String(500))
    failing_since: Mapped[datetime | None] = mapped_column(Instant())
    """The first failure since the last success; None while deliveries succeed."""
    last_error: Mapped[str | None] = mapped_column(String(500))
    last_success_at: Mapped[datetime | None] = mapped_column(Instant())

    __table_args__ = ({"sqlite_autoincrement": True},)
