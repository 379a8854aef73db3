"""The campaign file schema: one table that both validates files and prints JSON Schema."""

from __future__ import annotations

from dataclasses import dataclass

SLUG = r"^[a-z0-9-]+$"
LOCALE = r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$"
MESSAGING_SERVICE = r"^MG[0-9a-fA-F]{32}$"
DURATION = r"^[0-9]+[smhd]?$"
CODE = r"^[A-Z]{3}[0-9]{3}$"


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # string | boolean | datetime | duration | suppress | messages | string-map
    description: str
    required: bool = False
    pattern: str | None = None
    enum: tuple[str, ...] | None = None
    default: object = None
    non_empty: bool = False
    hint: str | None = None  # what a valid value looks like, for error messages


CAMPAIGN_FIELDS: tuple[Field, ...] = (
    Field(
        "campaign",
        "string",
        "Campaign slug, unique across the files checked together.",
        required=True,
        pattern=SLUG,
        hint="use lower-case letters a-z, digits and hyphens, e.g. spring-sale-2024",
    ),
    Field("brand", "string", "The brand the messages speak for.", required=True, non_empty=True),
    Field(
        "locale",
        "string",
        "BCP 47 locale of the messages (fi-FI, sv-FI, en-GB, en-US…).",
        required=True,
        pattern=LOCALE,
        hint="use a BCP 47 tag such as fi-FI, sv-FI, en-GB or en-US",
    ),
    Field(
        "purpose",
        "string",
        "transactional (default) or marketing; marketing needs an opt-out.",
        enum=("transactional", "marketing"),
        default="transactional",
    ),
    Field(
        "sender",
        "string",
        "Alphanumeric sender ID, E.164 number or short code.",
        required=True,
        non_empty=True,
    ),
    Field(
        "messaging_service",
        "string",
        "Twilio Messaging Service SID (MG + 32 hex digits).",
        pattern=MESSAGING_SERVICE,
        hint="a Messaging Service SID is MG followed by 32 hex digits (Twilio console)",
    ),
    Field(
        "smart_encoding",
        "boolean",
        "The Messaging Service has Twilio Smart Encoding on.",
        default=False,
    ),
    Field("send_at", "datetime", "When to send: ISO 8601 with a UTC offset."),
    Field(
        "interval",
        "duration",
        "Gap between consecutive messages to one recipient (30s, 10m, 2h, 1d).",
        pattern=DURATION,
    ),
    Field("suppress", "suppress", "Suppressed rule codes with the reason for each."),
    Field("audience", "string", "Audience CSV file, relative to this campaign file."),
    Field("defaults", "string-map", "Fallback values for placeholders, by column name."),
    Field("opt_out", "string", "File of numbers never to message, relative to this file."),
    Field(
        "placeholders",
        "placeholder-map",
        "Per-placeholder render options, e.g. {first_name: {case: title}}.",
    ),
    Field("messages", "messages", "The messages, in the order a recipient gets them.", True),
)

MESSAGE_FIELDS: tuple[Field, ...] = (
    Field("id", "string", "Message id, unique within the campaign.", required=True, non_empty=True),
    Field("body", "string", "The message text.", required=True, non_empty=True),
    Field("suppress", "suppress", "Suppressed rule codes for this message, with reasons."),
)

PLACEHOLDER_CASES = ("title", "lower", "upper", "as-is")


def _field_schema(f: Field) -> dict:
    if f.type == "string":
        # The loader keeps a plain number (sender: +358401234567) as written; editors that
        # read YAML see a number there, so free-text fields accept one.
        free = not (f.pattern or f.enum)
        s: dict = {"type": ["string", "number"] if free else "string"}
        if f.pattern:
            s["pattern"] = f.pattern
        if f.enum:
            s["enum"] = list(f.enum)
        if f.non_empty:
            s["minLength"] = 1
    elif f.type == "boolean":
        s = {"type": "boolean"}
    elif f.type == "datetime":
        s = {"type": "string", "format": "date-time"}
    elif f.type == "duration":
        s = {"type": ["string", "integer"], "pattern": f.pattern}
    elif f.type == "suppress":
        s = {
            "type": "object",
            "propertyNames": {"pattern": CODE},
            "additionalProperties": {"type": "string", "minLength": 1},
        }
    elif f.type == "string-map":
        s = {"type": "object", "additionalProperties": {"type": ["string", "number"]}}
    elif f.type == "placeholder-map":
        s = {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "properties": {"case": {"enum": list(PLACEHOLDER_CASES)}},
                "additionalProperties": False,
            },
        }
    elif f.type == "messages":
        s = {"type": "array", "minItems": 1, "items": _object_schema(MESSAGE_FIELDS)}
    else:  # pragma: no cover - a new type must be added above
        raise ValueError(f.type)
    s["description"] = f.description
    if f.default is not None:
        s["default"] = f.default
    return s


def _object_schema(fields: tuple[Field, ...]) -> dict:
    return {
        "type": "object",
        "properties": {f.name: _field_schema(f) for f in fields},
        "required": [f.name for f in fields if f.required],
        "additionalProperties": False,
    }


def json_schema() -> dict:
    """The campaign file format as JSON Schema (for yaml-language-server and other editors)."""
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "https://smskit.dev/schema/campaign-v1.json",
        "title": "smskit campaign",
    }
    schema.update(_object_schema(CAMPAIGN_FIELDS))
    return schema
