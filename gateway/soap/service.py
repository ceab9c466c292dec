"""The operations of /PresenceRegistration/v1: translate contract XML to service calls.

Each method receives its request element already validated against the XSD, and the request
context (``ctx.udc``) with the open transaction and the authenticated account.
"""

from __future__ import annotations

from typing import Any

from spyne import AnyXml, ServiceBase, Unicode, rpc

from gateway.services import consultation, registrations
from gateway.xml import consultation as consultation_codec
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

    @rpc(AnyXml, _returns=Unicode, _body_style="bare")
    def searchPresences(ctx: Any, request: Any) -> str:
        call = ctx.udc
        total, found = consultation.search(
            call.connection, call.account, consultation_codec.read_search_request(request)
        )
        return consultation_codec.write_search_response(request, total, found)

    @rpc(AnyXml, _returns=Unicode, _body_style="bare")
    def cancelPresences(ctx: Any, request: Any) -> str:
        call = ctx.udc
        answers = consultation.cancel(
            call.connection, call.account, consultation_codec.read_cancel_request(request), call.now
        )
        return consultation_codec.write_cancel_response(answers)
