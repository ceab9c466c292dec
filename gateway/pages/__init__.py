"""The web pages served beside the SOAP services: the worker's registration page behind a
declaration's QR code or URL, and the employer's management pages."""
