"""A small library over zeep for the CIaO gateway, the way an integrator would write one.

    client = GatewayClient("http://127.0.0.1:8000/PresenceRegistration/v1?wsdl",
                           "demo", "demo-password")
    answers = client.register([{"INSS": "85073003328", "CompanyID": "0403170701", ...}])

The client is built from the served WSDL with zeep's strict settings and sends a
WS-Security UsernameToken with a PasswordDigest (a fresh nonce and Created time per call),
or, given a ``signature`` (``clients.signing.X509Signature``), signs every call with an X.509
certificate instead.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

import requests
import zeep
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

from clients.signing import X509Signature

BATCH_LIMIT = 200


class GatewayError(Exception):
    """A fault from the gateway: its code, messages and ticket."""

    def __init__(self, code: str, messages: list[str], ticket: str | None, retry: bool) -> None:
        super().__init__(f"{code}: " + " | ".join(messages))
        self.code = code
        self.messages = messages
        self.ticket = ticket
        self.retry = retry


class Unreachable(Exception):
    """The gateway could not be reached (refused, timed out, DNS...)."""


_ERRORS = "{urn:ciao:errors:v1}"


def _gateway_error(fault: zeep.exceptions.Fault) -> GatewayError:
    detail = fault.detail[0] if fault.detail is not None and len(fault.detail) else None
    if detail is None:
        return GatewayError(str(fault.code), [str(fault.message)], None, False)
    return GatewayError(
        detail.findtext(_ERRORS + "Code") or str(fault.code),
        [m.text or "" for m in detail.iterfind(_ERRORS + "Message")],
        detail.get("Id"),
        detail.findtext(_ERRORS + "Retry") == "true",
    )


def chunks(items: Sequence[Any], size: int = BATCH_LIMIT) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class GatewayClient:
    """Every operation of PresenceRegistration v1. A call that fails with a SystemError whose
    Retry is true, or cannot reach the gateway, is tried again after 0.5, 1 and 2 s (times
    ``backoff``); a BusinessError never is: the request must change first."""

    def __init__(
        self,
        wsdl_url: str,
        username: str,
        password: str,
        *,
        signature: X509Signature | None = None,
        timeout: float = 30.0,
        attempts: int = 4,
        backoff: float = 0.5,
    ) -> None:
        session = requests.Session()
        transport = Transport(session=session, timeout=timeout, operation_timeout=timeout)
        self._username = username
        self._password = password
        self._signature = signature
        self._attempts = attempts
        self._backoff = backoff
        try:
            self._client = zeep.Client(
                wsdl_url, settings=zeep.Settings(strict=True), transport=transport
            )
        except requests.exceptions.RequestException as error:
            raise Unreachable(f"cannot fetch the WSDL at {wsdl_url}: {error}") from None

    def _call(self, operation: str, **arguments: Any) -> Any:
        for attempt in range(1, self._attempts + 1):
            try:
                return self._call_once(operation, arguments)
            except (Unreachable, GatewayError) as error:
                retryable = isinstance(error, Unreachable) or error.retry
                if not retryable or attempt == self._attempts:
                    raise
                time.sleep(self._backoff * 2 ** (attempt - 1))
        raise AssertionError("unreachable")

    def _call_once(self, operation: str, arguments: dict[str, Any]) -> Any:
        # A fresh token (nonce and Created time) or signature (Timestamp) for every call: the
        # gateway refuses replays.
        self._client.wsse = self._signature or UsernameToken(
            self._username, self._password, use_digest=True
        )
        try:
            return getattr(self._client.service, operation)(**arguments)
        except zeep.exceptions.Fault as fault:
            raise _gateway_error(fault) from None
        except requests.exceptions.RequestException as error:
            raise Unreachable(f"cannot reach the gateway: {error}") from None

    def register(self, registrations: Sequence[dict[str, Any]]) -> list[Any]:
        """Send ``registrations`` 200 at a time; one answer each, in order."""
        answers: list[Any] = []
        for batch in chunks(registrations):
            answers.extend(self._call("registerPresences", PresenceRegistrationRequest=list(batch)))
        return answers

    def get(self, registration_id: int) -> Any:
        return self._call("getPresenceRegistration", PresenceRegistrationId=registration_id)

    def search(
        self,
        start: date,
        end: date,
        *,
        first_row: int = 0,
        fetch_size: int = 500,
        **criteria: Any,
    ) -> Any:
        """One page of the registrations of ``start`` to ``end`` you may see; ``criteria``
        are INSS, CompanyID, WorkPlaceId, StatusList, RemarkList, SortingProperties..."""
        return self._call(
            "searchPresences",
            RegistrationPeriodList={"RegistrationPeriod": [{"StartDate": start, "EndDate": end}]},
            PaginationProperties={"FirstRow": first_row, "FetchSize": fetch_size},
            **criteria,
        )

    def cancel(self, registration_ids: Sequence[int], reason: str) -> list[Any]:
        answers: list[Any] = []
        for batch in chunks(registration_ids):
            answers.extend(
                self._call(
                    "cancelPresences",
                    CancelPresenceRequest=[
                        {"PresenceRegistrationId": i, "CancellationReason": reason} for i in batch
                    ],
                )
            )
        return answers

    def correct(self, registration_id: int, kind: str, proposed: str, motivation: str) -> Any:
        return self._call(
            "requestCorrection",
            PresenceRegistrationId=registration_id,
            CorrectionType=kind,
            ProposedValue=proposed,
            Motivation=motivation,
        )

    def export(self, start: date, end: date, file_format: str = "CSV", **criteria: Any) -> Any:
        """The export (``FileName``, ``Content`` bytes) of at most 100 days."""
        return self._call(
            "exportPresences", StartDate=start, EndDate=end, Format=file_format, **criteria
        )
