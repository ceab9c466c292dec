"""Errors the services raise; the SOAP edge maps each to one fault code."""

from __future__ import annotations

from gateway.domain.reasons import Reason


class ServiceError(Exception):
    """Root of every error a caller can be told about."""


class AuthenticationFailed(ServiceError):
    """No token, unknown user, wrong password or disabled account: deliberately one error."""


class TokenRejected(ServiceError):
    """A correct token sent outside the accepted time window, or with a used nonce."""


class RegistrationNotFound(ServiceError):
    """No registration with that id that the caller may see."""


class Forbidden(ServiceError):
    """The account's role may not use this service."""


class Refused(ServiceError):
    """What was asked cannot be done, for ``reason`` (its English text is the message)."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(str(reason))
        self.reason = reason


class CorrectionRefused(Refused):
    """A correction request that cannot be made or decided."""


class CorrectionRequestNotFound(ServiceError):
    """No correction request with that id."""


class ExportRefused(Refused):
    """An export that cannot be made (a period over 100 days)."""


class SearchRefused(Refused):
    """A search that cannot be made (a period that ends before it starts)."""


class ReferenceDataRefused(ServiceError):
    """A reference data update that cannot be stored; ``problems`` name each entry."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class SignatureRejected(ServiceError):
    """A signed message that cannot be accepted; the message says why (never whose data)."""
