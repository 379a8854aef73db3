"""smskit's exact model of SMS encoding and segmentation (Twilio's calculator, Smart Encoding).

Modules: ``gsm7`` (the alphabet), ``graphemes`` (clusters a message is never split inside),
``smart`` and ``smart_map`` (Twilio Smart Encoding and our GSM-7 suggestion), ``segmenter``
(the API: encoding, segment count and the parts), ``units`` (segment sizes), ``ucs2`` (where
UCS-2 parts end), ``causes`` (what forced UCS-2), ``replay`` (the calculator's own procedure).
"""

from smskit.encoding.gsm7 import gsm7_septets, is_gsm7
from smskit.encoding.segmenter import (
    Analysis,
    analyze,
    encoding_and_segments,
    encoding_of,
    segment_count,
)
from smskit.encoding.smart import gsm_suggestion, smart_encode
from smskit.encoding.units import GSM7, UCS2

__all__ = [
    "GSM7",
    "UCS2",
    "Analysis",
    "analyze",
    "encoding_and_segments",
    "encoding_of",
    "gsm7_septets",
    "gsm_suggestion",
    "is_gsm7",
    "segment_count",
    "smart_encode",
]
