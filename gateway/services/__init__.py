"""Application services: what the gateway does, between the SOAP edge and storage."""
