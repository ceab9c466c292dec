"""The operations of /checkinatwork/PresenceRegistration/v1: translate v1 contract XML to
service calls.

Each method receives its request element already validated against
``schemas/CheckinAtWorkProtocol_v1.xsd``, and the request context (``ctx.udc``) with the open
transaction and the authenticated account.
"""

from __future__ import annotations

from typing import Any

from spyne import AnyXml, ServiceBase, Unicode, rpc

from gateway.domain.workday import work_day
from gateway.services import presences
from gateway.xml import checkinatwork as codec


class CheckinAtWorkService(ServiceBase):
    @rpc(AnyXml, _returns=Unicode, _body_style="bare")
    def registerPresences(ctx: Any, request: Any) -> str:
        call = ctx.udc
        batch = codec.read_register_request(request, work_day(call.now))
        answers = presences.register(call.connection, call.account, batch, call.now)
        return codec.write_register_response(answers)

    @rpc(AnyXml, _returns=Unicode, _body_style="bare")
    def getPresenceRegistration(ctx: Any, request: Any) -> str:
        call = ctx.udc
        registration_id = codec.read_registration_id(request)
        found = presences.get(call.connection, call.account, registration_id)
        return codec.write_get_response(registration_id, found)

    @rpc(AnyXml, _returns=Unicode, _body_style="bare")
    def searchPresences(ctx: Any, request: Any) -> str:
        call = ctx.udc
        criteria, can_find = codec.read_search_request(request)
        total, found = (
            presences.search(call.connection, call.account, criteria) if can_find else (0, [])
        )
        return codec.write_search_response(request, total, found)

    @rpc(AnyXml, _returns=Unicode, _body_style="bare")
    def cancelPresences(ctx: Any, request: Any) -> str:
        call = ctx.udc
        answers = presences.cancel(
            call.connection, call.account, codec.read_cancel_request(request), call.now
        )
        return codec.write_cancel_response(answers)
