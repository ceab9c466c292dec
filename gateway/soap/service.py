"""The operations of /PresenceRegistration/v1: translate contract XML to service calls.

Each method receives its request element already validated against the XSD, and the request
context (``ctx.udc``) with the open transaction and the authenticated account.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from spyne import AnyXml, ServiceBase, Unicode, rpc

from gateway.domain.registration import SubmittedRegistration
from gateway.services import consultation, corrections, export, registrations
from gateway.soap.protocol import Streamed
from gateway.xml import consultation as consultation_codec
from gateway.xml import corrections as corrections_codec
from gateway.xml import registrations as codec
from gateway.xml.contract import NS_TYPES
from gateway.xml.export import base64_chunks, csv_lines, xml_lines

# The operation that only stores new registrations (see storage.staging).
REGISTER = "registerPresences"

# Operations whose request is read into domain objects before the transaction begins: the
# method gets those instead of the element.
DECODERS: dict[str, Callable[[Any], object]] = {
    REGISTER: codec.read_register_request,
}


class PresenceRegistrationService(ServiceBase):
    @rpc(AnyXml, _returns=Unicode, _body_style="bare")
    def registerPresences(ctx: Any, batch: list[SubmittedRegistration]) -> str:
        call = ctx.udc
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

    @rpc(AnyXml, _returns=Unicode, _body_style="bare")
    def requestCorrection(ctx: Any, request: Any) -> str:
        call = ctx.udc
        registration_id, kind, proposed, motivation = corrections_codec.read_request(request)
        made = corrections.request(
            call.connection, call.account, registration_id, kind, proposed, motivation, call.now
        )
        return corrections_codec.write_request_response(made)

    @rpc(AnyXml, _returns=Unicode, _body_style="bare")
    def exportPresences(ctx: Any, request: Any) -> Streamed:
        call = ctx.udc
        wanted = consultation_codec.read_export_request(request)
        if wanted.format == "CSV":
            content = csv_lines(export.csv_rows(call.engine, call.account, wanted))
        else:
            content = xml_lines(export.registrations(call.engine, call.account, wanted))
        return Streamed(
            f'<ExportPresencesResponse xmlns="{NS_TYPES}"><Format>{wanted.format}</Format>'
            f"<FileName>{wanted.file_name}</FileName><Content>",
            base64_chunks(content),
            "</Content></ExportPresencesResponse>",
        )
