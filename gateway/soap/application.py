"""The Spyne application: one transaction and one authenticated account per call, and the one
place where service errors become faults and anything unexpected becomes a logged, generic
SystemError (internals never reach the caller)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from spyne import Application
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from gateway.config import Settings
from gateway.domain.identity import Account
from gateway.logs import describe
from gateway.services import errors
from gateway.services.authentication import Authenticator
from gateway.soap import faults
from gateway.soap.endpoints import Endpoint
from gateway.soap.faults import GatewayFault
from gateway.soap.ingest import FAILURE
from gateway.soap.protocol import ContractSoap11
from gateway.soap.security import MalformedToken, read_credentials
from gateway.soap.service import REGISTER
from gateway.xml.contract import ContentRefused, ContractValidator, wsdl_operations

log = logging.getLogger("ciao.soap")


@dataclass(frozen=True, slots=True)
class Call:
    """What a service method gets in ``ctx.udc``."""

    connection: Connection
    engine: Engine
    account: Account
    now: datetime
    future_tolerance: timedelta


class GatewayApplication(Application):
    def __init__(
        self, engine: Engine, settings: Settings, authenticator: Authenticator, endpoint: Endpoint
    ) -> None:
        operations = wsdl_operations(endpoint.wsdl)
        implemented = set(endpoint.service.public_methods)
        if set(operations.values()) != implemented:
            raise RuntimeError(
                f"the WSDL's operations {sorted(operations.values())} differ from the "
                f"service's methods {sorted(implemented)}"
            )
        validator = ContractValidator(endpoint.schema)

        def protocol() -> ContractSoap11:  # Spyne wants one instance per direction
            return ContractSoap11(
                validator,
                operations,
                settings.environment,
                settings.max_xml_depth,
                settings.max_body_bytes,
                endpoint.namespace,
                endpoint.dialect,
            )

        super().__init__(
            [endpoint.service],
            tns=endpoint.namespace,
            name=endpoint.name,
            in_protocol=protocol(),
            out_protocol=protocol(),
        )
        self.operations = operations
        self.validator = validator
        self._endpoint = endpoint
        self._engine = engine
        self._settings = settings
        self._authenticator = authenticator
        self._future_tolerance = timedelta(seconds=settings.future_tolerance_seconds)

    def call_wrapper(self, ctx: Any) -> Any:
        """Authenticate and run the operation in one transaction. Reading a batch into domain
        objects and checking a password (``Authenticator.unit_of_work``) happen before it
        begins, so that the write lock is held no longer than needed; the answer is written
        inside it, so that a fault after the commit cannot deny what was stored."""
        now = datetime.now(UTC)
        try:
            failure = ctx.transport.req_env.get(FAILURE)
            if failure is not None:  # the request failed on the ingest path: answer that
                raise failure
            decode = self._endpoint.decoders.get(ctx.descriptor.name)
            if decode is not None:  # Spyne hands a bare body over as a one-element list
                ctx.in_object = [decode(ctx.in_object[0])]
            registering = ctx.descriptor.name == REGISTER
            token = read_credentials(ctx.in_document)
            work = self._authenticator.unit_of_work(
                self._engine, token, now, registering=registering
            )
            with work as (connection, account):
                if account.role not in self._endpoint.roles:
                    raise errors.Forbidden()
                ctx.udc = Call(connection, self._engine, account, now, self._future_tolerance)
                return super().call_wrapper(ctx)
        except (errors.AuthenticationFailed, MalformedToken):
            raise self._fault(faults.AUTHENTICATION) from None
        except errors.Forbidden:
            raise self._fault(faults.FORBIDDEN) from None
        except errors.TokenRejected as rejected:
            raise self._fault(faults.TOKEN_REJECTED, str(rejected)) from None
        except errors.SignatureRejected as rejected:
            raise self._fault(faults.SIGNATURE_REJECTED, str(rejected)) from None
        except errors.RegistrationNotFound as missing:
            raise self._fault(
                faults.REGISTRATION_NOT_FOUND,
                f"PresenceRegistrationId {missing.args[0]} does not exist or is not visible "
                "to your enterprise.",
            ) from None
        except errors.ReferenceDataRefused as refused:
            raise self._fault(faults.REFERENCE_DATA_REFUSED, *refused.problems) from None
        except errors.SearchRefused as refused:
            raise self._fault(faults.SEARCH_REFUSED, str(refused)) from None
        except ContentRefused as refused:
            raise self._fault(faults.CONTENT_REFUSED, str(refused)) from None
        except errors.ExportRefused as refused:
            raise self._fault(faults.EXPORT_REFUSED, str(refused)) from None
        except errors.CorrectionRefused as refused:
            raise self._fault(faults.CORRECTION_REFUSED, str(refused)) from None
        except errors.CorrectionRequestNotFound as missing:
            raise self._fault(
                faults.CORRECTION_REQUEST_NOT_FOUND,
                f"There is no correction request {missing.args[0]}.",
            ) from None
        except GatewayFault:
            raise
        except SQLAlchemyError as failure:
            fault = self._fault(faults.UNAVAILABLE)
            log.error("ticket %s: database failure: %s", fault.ticket, describe(failure))
            raise fault from None
        except Exception:
            fault = self._fault(faults.INTERNAL)
            log.exception("ticket %s: unexpected failure", fault.ticket)
            raise fault from None

    def _fault(self, kind: faults.FaultKind, *messages: str) -> GatewayFault:
        fault = GatewayFault(kind, self._settings.environment, messages, self._endpoint.dialect)
        log.info("ticket %s: %s", fault.ticket, kind.code)  # its message may quote values
        return fault
