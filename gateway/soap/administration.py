"""The operations of /Administration/v1 (operators only)."""

from __future__ import annotations

from typing import Any

from spyne import AnyXml, ServiceBase, Unicode, rpc

from gateway.services import corrections, reference
from gateway.xml import corrections as corrections_codec
from gateway.xml import reference as codec


class AdministrationService(ServiceBase):
    @rpc(AnyXml, _returns=Unicode, _body_style="bare")
    def updateReferenceData(ctx: Any, request: Any) -> str:
        call = ctx.udc
        update = codec.read_update(request)
        queued = reference.apply(call.connection, update, call.now)
        return codec.write_update_response(update.size(), queued)

    @rpc(AnyXml, _returns=Unicode, _body_style="bare")
    def listCorrectionRequests(ctx: Any, request: Any) -> str:
        status = corrections_codec.read_list(request)
        return corrections_codec.write_list(corrections.listing(ctx.udc.connection, status))

    @rpc(AnyXml, _returns=Unicode, _body_style="bare")
    def decideCorrectionRequest(ctx: Any, request: Any) -> str:
        call = ctx.udc
        request_id, approve, note = corrections_codec.read_decision(request)
        decided = corrections.decide(
            call.connection, call.account, request_id, approve, note, call.now
        )
        return corrections_codec.write_decision(decided)
