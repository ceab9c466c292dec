"""The operations of /Administration/v1 (operators only)."""

from __future__ import annotations

from typing import Any

from spyne import AnyXml, ServiceBase, Unicode, rpc

from gateway.services import reference
from gateway.xml import reference as codec


class AdministrationService(ServiceBase):
    @rpc(AnyXml, _returns=Unicode, _body_style="bare")
    def updateReferenceData(ctx: Any, request: Any) -> str:
        call = ctx.udc
        update = codec.read_update(request)
        queued = reference.apply(call.connection, update, call.now)
        return codec.write_update_response(update.size(), queued)
