"""smskit: lint, check and send SMS campaigns kept as YAML files in git.

The data flows one way: campaign file → load (with positions) → audience and rendering →
rules → findings → report; ``send`` consumes only a campaign that passed.
"""

__version__ = "0.1.0"
