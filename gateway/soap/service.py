"""The operations of /PresenceRegistration/v1: translate contract XML to service calls.

Each method receives its request element already validated against the XSD, and the request
context (``ctx.udc``) with the open transaction and the authenticated account.
"""

from __future__ import annotations

from typing import Any

from spyne import AnyXml, ServiceBase, Unicode, rpc

from gateway.services import registrations
from gateway.xml import registrations as codec


class PresenceRegistrationService(ServiceBase):
    @rpc(AnyXml, _returns=Unicode, _body_style="bare")
    def registerPresences(ctx: Any, request: Any) -> str:
        call = ctx.udc
        batch = codec.read_register_request(request)
        answers = registrations.register(
            call.connection, call.account, batch, call.now, call.future_tolerance
        )
        return codec.write_register_response(answers)

    @rpc(AnyXml, _returns=Unicode, _body_style="bare")
    def getPresenceRegistration(ctx: Any, request: Any) -> str:
        call = ctx.udc
        registration_id = codec.read_registration_id(request)
        found = registrations.get(call.connection, call.account, registration_id)
        return codec.write_get_response(found)
