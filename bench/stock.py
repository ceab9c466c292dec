"""Stock ratio: a stock Spyne application (models of the same request, validator 'lxml', its
own decoding into Python objects) handling the same 200-registration request and doing
nothing with it, against the gateway handling it completely (storage included); and, like
for like, against the gateway's own parse, validation and decoding into domain
registrations alone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from spyne import Application, Boolean, ComplexModel, Decimal, Unicode, rpc
from spyne import DateTime as SpyneDateTime
from spyne.protocol.soap import Soap11
from spyne.server.wsgi import WsgiApplication
from spyne.service import ServiceBase

from bench.common import envelope, gateway_app, median_seconds, say, scratch, wsgi_caller
from gateway.soap.endpoints import PRESENCE_REGISTRATION
from gateway.xml import loader
from gateway.xml import registrations as codec
from gateway.xml.contract import ContractValidator

NS = "urn:ciao:presenceregistration:schemas:v1"


class Coordinates(ComplexModel):
    __namespace__ = NS
    _type_info = [("Latitude", Decimal), ("Longitude", Decimal), ("AccuracyMeters", Decimal)]


class Address(ComplexModel):
    __namespace__ = NS
    _type_info = [
        ("Street", Unicode(100)),
        ("HouseNumber", Unicode(10)),
        ("PostalCode", Unicode(10)),
        ("Municipality", Unicode(100)),
        ("CountryCode", Unicode(pattern="[A-Z]{2}")),
    ]


class Location(ComplexModel):
    __namespace__ = NS
    _type_info = [("Coordinates", Coordinates), ("Address", Address)]


class PresenceRegistrationRequest(ComplexModel):
    __namespace__ = NS
    _type_info = [
        ("INSS", Unicode(pattern="[0-9]{11}")),
        ("CompanyID", Unicode(pattern="[01][0-9]{9}")),
        ("LimosaId", Unicode(30)),
        ("WorkPlaceId", Unicode(13, min_occurs=1)),
        (
            "RegistrationType",
            Unicode(values=["CHECK_IN", "CHECK_OUT", "BREAK_START", "BREAK_END"], min_occurs=1),
        ),
        ("RegistrationDateTime", SpyneDateTime(min_occurs=1)),
        ("Location", Location),
        ("RegistrationMeans", Unicode(min_occurs=1)),
        ("DeviceId", Unicode(64)),
        ("EmergencyProcedure", Boolean),
        ("ClientPresenceRegistrationReference", Unicode(24)),
    ]


class RegisterPresencesRequest(ComplexModel):
    __namespace__ = NS
    _type_info = [
        ("PresenceRegistrationRequest", PresenceRegistrationRequest.customize(max_occurs=200))
    ]


class StockService(ServiceBase):
    @rpc(RegisterPresencesRequest, _body_style="bare", _returns=Unicode)
    def RegisterPresencesRequest(ctx: Any, request: Any) -> str:
        return str(len(request.PresenceRegistrationRequest))


def stock_app() -> WsgiApplication:
    application = Application(
        [StockService], tns=NS, in_protocol=Soap11(validator="lxml"), out_protocol=Soap11()
    )
    return WsgiApplication(application)


def our_decoding(body: bytes, max_depth: int) -> Callable[[], object]:
    """What of the gateway's handling matches stock Spyne's: the hardened parse, the XSD and
    the reading of the request into domain registrations."""
    validator = ContractValidator(PRESENCE_REGISTRATION.schema)

    def decode() -> object:
        request = loader.parse(body, max_depth)[1][0]
        if validator.errors(request):
            raise RuntimeError("the bench request is not schema-valid")
        return codec.read_register_request(request)

    return decode


def measure(repeat: int) -> dict[str, float]:
    say(f"stock Spyne and the gateway in turns: {repeat} requests of 200 registrations each ...")
    body = envelope(200)
    place = scratch("sqlite")
    try:
        calls = {
            "stock": wsgi_caller(stock_app(), body),
            "ours": wsgi_caller(gateway_app(place.settings, place.engine), body),
            "decoding": our_decoding(body, place.settings.max_xml_depth),
        }
        medians = median_seconds(calls, repeat)
    finally:
        place.cleanup()
    return {
        "stock_ms": medians["stock"] * 1000,
        "ours_ms": medians["ours"] * 1000,
        "ratio": medians["stock"] / medians["ours"],
        "our_decoding_ms": medians["decoding"] * 1000,
        "decoding_ratio": medians["stock"] / medians["decoding"],
    }
