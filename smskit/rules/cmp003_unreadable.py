"""CMP003 unreadable-file: the file's bytes cannot be read as a campaign.

The file is not UTF-8 (Latin-1 or cp1252 bytes from an old editor, a UTF-16 export), holds
NUL bytes (a binary file), is larger than 1 MiB, or cannot be opened. Re-save it as UTF-8;
keep audiences in CSV files, not in the campaign.

Bad::

    body: "K\\xe4ytt\\xe4j\\xe4"      # Latin-1 bytes for "Käyttäjä"

Good::

    body: "Käyttäjä"                 # saved as UTF-8

Options: none. Emitted by the loader.
"""

from smskit.findings import Severity

CODE = "CMP003"
NAME = "unreadable-file"
SEVERITY = Severity.ERROR
SCOPE = "loader"
