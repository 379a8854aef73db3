"""CMP001 not-valid-yaml: the file is not valid YAML.

The campaign file could not be parsed at all: a missing colon, a bad indentation, an
unclosed quote. Nothing else in the file can be checked until it parses. The finding points
at the line and column where the parser gave up; the mistake is often just before it.

Bad::

    campaign: spring-sale
    messages:
      - id: intro
        body: "Hei {first_name}!

Good::

    campaign: spring-sale
    messages:
      - id: intro
        body: "Hei {first_name}!"

Options: none. Emitted by the loader.
"""

from smskit.findings import Severity

CODE = "CMP001"
NAME = "not-valid-yaml"
SEVERITY = Severity.ERROR
SCOPE = "loader"
