"""The published contract: ``wsdl/`` (the WSDLs) and ``schemas/`` (every XSD they import).

These documents are authoritative: the gateway validates requests against them and serves
them as they are, and the client checks batch files against them. They are package data,
installed with the gateway, and found here through ``importlib.resources``, never relative
to a source tree. lxml reads them as files and resolves their imports next to them: the
package is installed as files (as pip installs it), so these are folders on disk.
"""

from importlib import resources
from pathlib import Path

SCHEMA_DIR = Path(str(resources.files(__name__))) / "schemas"
WSDL_DIR = Path(str(resources.files(__name__))) / "wsdl"
