"""Accounts that may call the gateway, and the WS-Security token a caller presents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    EMPLOYER = "EMPLOYER"
    OPERATOR = "OPERATOR"


@dataclass(frozen=True, slots=True)
class Account:
    """An account belongs to one enterprise number and has one role (CONTRACT.md, Identity)."""

    username: str
    company_id: str
    role: Role
    disabled: bool = False


@dataclass(frozen=True, slots=True)
class UsernameToken:
    """A WS-Security UsernameToken as it arrived.

    ``created_text`` is kept as sent: a PasswordDigest is computed over those exact characters.
    """

    username: str
    password: str
    digest: bool
    nonce: bytes | None = None
    created: datetime | None = None
    created_text: str | None = None
