"""The gateway's front page (``/``): where a newcomer goes from there, in one small HTML page
with no script: the management pages, each service's WSDL, and the documentation."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

DOCS = (
    ("docs/integration.md", "the integration guide: a sample request and answer per operation"),
    ("docs/faults.md", "faults and error codes, and what to do about each"),
    ("docs/remarks.md", "the remarks the checks raise"),
    ("docs/pages.md", "the worker's page and the management pages"),
)


def home_page(service_paths: Iterable[str]) -> bytes:
    services = "\n".join(
        f'  <li><a href="{escape(path)}?wsdl">{escape(path)}?wsdl</a></li>'
        for path in service_paths
    )
    docs = "\n".join(f"  <li><code>{name}</code>: {text}</li>" for name, text in DOCS)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>CIaO gateway</title>
<link rel="stylesheet" href="/static/style.css">
</head>
<body>
<main>
<h1>CIaO gateway</h1>
<p>The SOAP transmission channel of Check In and Out at Work.</p>
<h2>Employers</h2>
<p><a href="/manage">Management pages</a>: registrations, remarks, corrections, exports
and the QR codes of your sites.</p>
<h2>Services</h2>
<p>SOAP 1.1, document/literal; every schema a WSDL imports is served at <code>?xsd=NAME</code>.</p>
<ul>
{services}
</ul>
<h2>Documentation</h2>
<p>In the <code>docs/</code> folder of the gateway's source, beside its README:</p>
<ul>
{docs}
</ul>
</main>
</body>
</html>
""".encode()
