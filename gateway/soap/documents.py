"""Serving the contract documents (WSDL and XSDs) as they are on disk.

Two things are rewritten for the client that asks: the ``soap:address`` becomes the address it
used, and every ``schemaLocation`` points at ``<service>?xsd=<file>`` on the same server, so a
client that can reach the gateway and nothing else (no internet) resolves the whole contract.
"""

from __future__ import annotations

import threading
from pathlib import Path

from lxml import etree

from gateway.xml.contract import NS_WSDL, NS_WSDL_SOAP, NS_XSD, SCHEMA_DIR

_NS = {"wsdl": NS_WSDL, "soap": NS_WSDL_SOAP, "xs": NS_XSD}
_CACHE_LIMIT = 64
_IMPORTS = etree.XPath(
    "//xs:import[@schemaLocation] | //xs:include[@schemaLocation]", namespaces=_NS
)


class ContractDocuments:
    def __init__(self, wsdl_path: Path, schema_dir: Path = SCHEMA_DIR) -> None:
        parser = etree.XMLParser(no_network=True, resolve_entities=False)
        self._wsdl = etree.parse(str(wsdl_path), parser)
        self._schemas = {
            path.name: etree.parse(str(path), parser) for path in sorted(schema_dir.glob("*.xsd"))
        }
        self._cache: dict[tuple[str, str], bytes] = {}
        self._lock = threading.Lock()

    def wsdl(self, service_url: str) -> bytes:
        return self._rendered("?wsdl", self._wsdl, service_url)

    def schema(self, name: str, service_url: str) -> bytes | None:
        document = self._schemas.get(name)
        return None if document is None else self._rendered(name, document, service_url)

    def _rendered(self, key: str, document: etree._ElementTree, service_url: str) -> bytes:
        with self._lock:
            cached = self._cache.get((key, service_url))
            if cached is None:
                if len(self._cache) > _CACHE_LIMIT:  # the Host header is the client's to choose
                    self._cache.clear()
                cached = self._cache[(key, service_url)] = _render(document, service_url)
            return cached


def _render(document: etree._ElementTree, service_url: str) -> bytes:
    copy = etree.ElementTree(etree.fromstring(etree.tostring(document)))
    for reference in _IMPORTS(copy):
        name = Path(reference.get("schemaLocation")).name
        reference.set("schemaLocation", f"{service_url}?xsd={name}")
    for address in copy.iterfind(".//wsdl:service/wsdl:port/soap:address", _NS):
        address.set("location", service_url)
    return etree.tostring(copy, xml_declaration=True, encoding="UTF-8")
