"""The SOAP edge: Spyne routing and faults around the contract's hand-written WSDL/XSD."""
