"""CMP004 duplicate-campaign: two files checked together use the same campaign slug.

The slug names the campaign in the send journal and in reports; two files with the same slug
would share a journal and could suppress each other's sends.

Bad::

    # campaigns/a.yml                # campaigns/b.yml
    campaign: spring-sale            campaign: spring-sale

Good::

    campaign: spring-sale            campaign: spring-sale-reminder

Options: none.
"""

from smskit.findings import Severity

CODE = "CMP004"
NAME = "duplicate-campaign"
SEVERITY = Severity.ERROR
SCOPE = "loader"
