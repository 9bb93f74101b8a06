"""Query.submitChallenge: a new bot-check challenge for the caller alone (never cached)."""

from __future__ import annotations

from app.services import bot_check
from resolvers.context import Context


def submit_challenge(ctx: Context) -> str:
    ctx.no_store = True
    settings = ctx.settings
    return bot_check.new_challenge(settings.secret_key, ctx.now, settings.pow_max_number)
