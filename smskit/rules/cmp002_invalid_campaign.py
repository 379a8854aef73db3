"""CMP002 invalid-campaign: the YAML is fine but it is not a valid campaign.

Catches what the campaign format does not allow: unknown keys (with a did-you-mean),
missing required keys, values of the wrong type, duplicate keys, duplicate message ids,
suppressions without a reason, anchors and aliases (refused so that no file can expand into
a "billion laughs"), custom tags and more than one document. ``smskit schema`` prints the
format as JSON Schema for editors.

Bad::

    campaign: spring-sale
    brnad: Elisa          # unknown key: did you mean 'brand'?

Good::

    campaign: spring-sale
    brand: Elisa

Options: none. Emitted by the loader.
"""

from smskit.findings import Severity

CODE = "CMP002"
NAME = "invalid-campaign"
SEVERITY = Severity.ERROR
SCOPE = "loader"
