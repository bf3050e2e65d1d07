"""att: the local-authority school attendance officer's command line."""

import os as _os

__version__ = "0.1.0"

# python-docx (letters, issue 15) brings lxml, and openpyxl switches to lxml whenever it is
# installed: it would then parse workbooks without defusedxml (issue 6's protection against
# entity expansion) and report a full disk as lxml's SerialisationError with a traceback instead
# of an OSError (exit 7). Keep openpyxl on the stdlib parser and defusedxml, as before.
_os.environ["OPENPYXL_LXML"] = "False"
