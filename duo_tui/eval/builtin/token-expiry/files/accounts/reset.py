"""Password reset tokens."""

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

TOKEN_LIFETIME = timedelta(hours=1)


@dataclass
class ResetToken:
    value: str
    user_id: int
    created_at: datetime  # timezone-aware, UTC


def new_token(user_id: int) -> ResetToken:
    return ResetToken(secrets.token_urlsafe(32), user_id, datetime.now(UTC))


def is_expired(token: ResetToken) -> bool:
    created = token.created_at.replace(tzinfo=None)
    return datetime.now() - created > TOKEN_LIFETIME
