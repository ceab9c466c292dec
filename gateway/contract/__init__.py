"""The published contract: ``wsdl/`` (the WSDLs) and ``schemas/`` (every XSD they import).

These documents are authoritative: the gateway validates requests against them and serves
them as they are. They are package data, installed with the gateway, and found through
``importlib.resources`` (see ``gateway.xml.contract``), never relative to a source tree.
"""
