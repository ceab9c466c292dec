"""Strict zeep clients of the gateways the tests start, built from a WSDL parsed once.

zeep takes 40-100 ms to parse the served WSDL and the schemas it imports, and the tests build
a few clients each, hundreds in all. Every gateway serves the same documents with its own
address filled in, so a client here fetches its gateway's WSDL as any client would, and zeep
parses it only when its text, with that address taken out, differs from every one parsed
before in this process (a gateway serving another contract, or another address such as a
public URL, gets a parse of its own). The client then calls the address its own WSDL names.
"""

from __future__ import annotations

import urllib.parse
import urllib.request
from functools import cached_property

import zeep
from zeep.proxy import ServiceProxy
from zeep.transports import Transport
from zeep.wsdl import Document
from zeep.wsse.username import UsernameToken

_SETTINGS = zeep.Settings(strict=True)
# What the served WSDL says, its gateway's address taken out -> (its parse, that address).
_parsed: dict[str, tuple[Document, str]] = {}


class ServedClient(zeep.Client):
    """A zeep client whose default service calls ``address`` by ``binding``; its WSDL may
    have been parsed from the same text served at another address."""

    def __init__(
        self, wsdl: Document, binding: str, address: str, wsse: UsernameToken | None
    ) -> None:
        super().__init__(wsdl, settings=_SETTINGS, wsse=wsse)
        self.binding = binding
        self.address = address

    @cached_property
    def service(self) -> ServiceProxy:  # type: ignore[override]
        return self.create_service(self.binding, self.address)


def served_client(wsdl_url: str, wsse: UsernameToken | None = None) -> zeep.Client:
    """A client of the service whose WSDL is at ``wsdl_url``, as ``zeep.Client(wsdl_url,
    settings=zeep.Settings(strict=True), wsse=wsse)`` builds it."""
    parts = urllib.parse.urlsplit(wsdl_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    with urllib.request.urlopen(wsdl_url, timeout=30) as response:
        served = response.read().decode()
    shape = served.replace(origin, "{origin}")
    if shape not in _parsed:
        _parsed[shape] = (Document(wsdl_url, Transport(), settings=_SETTINGS), origin)
    document, parsed_origin = _parsed[shape]
    service = next(iter(document.services.values()))
    port = next(iter(service.ports.values()))
    address = str(port.binding_options["address"]).replace(parsed_origin, origin)
    return ServedClient(document, port.binding.name, address, wsse)
