"""The transparency log in the tests' databases: demo petitions loaded and a checkpoint
signed, as the server's signer would sign it (`db.log_checkpoints.issue`)."""

from __future__ import annotations

from app.demo import load_demo
from app.domain.signed_note import Signer
from app.domain.timezone import now
from db import log_checkpoints
from db.engine import create_engine, session_factory
from tests.support.demo_rows import NOW
from tests.support.workflow import TEST_KEK

PUBLIC_URL = "http://127.0.0.1:8000"
"""The tests' servers' PAKN_PUBLIC_URL: the log's origin is 127.0.0.1:8000/log."""


async def sign(url: str, petitions: int = 0, seed: int = 1) -> tuple[str, Signer]:
    """Load `petitions` demo petitions (none: only sign) and sign a checkpoint of the
    tree; the log's current verifier key, and its signer (for checkpoints forged by hand)."""
    engine = create_engine(url)
    try:
        if petitions:
            await load_demo(engine, petitions, seed, key_encryption_key=TEST_KEK, now=NOW)
        async with session_factory(engine)() as session:
            await log_checkpoints.issue(session, TEST_KEK, PUBLIC_URL, now())
            await session.commit()
            key = await log_checkpoints.current_key(session)
            assert key is not None
            return key.verifier_key, log_checkpoints.signer_of(key, TEST_KEK)
    finally:
        await engine.dispose()
