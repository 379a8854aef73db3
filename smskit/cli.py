"""The smskit command line (Typer). Only the console script (smskit.console) imports it.

Exit status: 0 no error-level finding, 1 error-level findings (or warnings with --strict),
2 usage or configuration problems.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from smskit.check_command import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, command_outcomes, error
from smskit.check_command import use_color as _use_color

if TYPE_CHECKING:
    from smskit.model import Campaign

app = typer.Typer(
    name="smskit",
    help="Lint, check and send SMS campaigns kept as YAML files in git.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _group() -> None:
    # No options of its own: it keeps smskit a group of commands even when main() builds the
    # app with the one command a run names.
    pass


def _fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    error(message)
    return typer.Exit(code)


@app.command()
def check(
    paths: Annotated[list[str], typer.Argument(help="Campaign files or folders (recursive).")],
    format: Annotated[
        str | None,
        typer.Option("--format", "-f", help="text, json, github, sarif or junit."),
    ] = None,
    select: Annotated[
        list[str] | None, typer.Option(help="Only these rules (codes, names or prefixes).")
    ] = None,
    ignore: Annotated[list[str] | None, typer.Option(help="Skip these rules.")] = None,
    strict: Annotated[bool, typer.Option(help="Warnings fail the check too.")] = False,
    fix: Annotated[bool, typer.Option("--fix", help="Apply safe fixes in place.")] = False,
    unsafe_fixes: Annotated[
        bool, typer.Option("--unsafe-fixes", help="Also apply fixes marked unsafe.")
    ] = False,
    diff: Annotated[
        bool, typer.Option("--diff", help="Show what --fix would change; write nothing.")
    ] = False,
    audience: Annotated[
        Path | None, typer.Option(help="Audience CSV (overrides the campaign's audience key).")
    ] = None,
    config: Annotated[
        Path | None, typer.Option(help="Configuration file (default: found at the repo root).")
    ] = None,
    color: Annotated[
        bool | None, typer.Option("--color/--no-color", help="Colour text output.")
    ] = None,
) -> None:
    """Check campaign files against the rules and print the findings."""
    # (A plain `smskit check` usually arrives through smskit.console without Typer; this is
    # the path for --help, mistakes and in-process callers. Both run the same code.)
    from smskit.check_command import run_check

    raise typer.Exit(
        run_check(
            paths, format, select, ignore, strict, fix, unsafe_fixes, diff, audience, config, color
        )
    )


@app.command("rules")
def list_rules() -> None:
    """List every rule with its code, name, default severity and summary."""
    from smskit.rules import all_rules

    for r in all_rules().values():
        print(f"{r.code}  {r.name:<34} {r.severity.value:<8} {r.summary}")


@app.command()
def explain(code: Annotated[str, typer.Argument(help="Rule code or name, e.g. SIG001.")]) -> None:
    """Print a rule's documentation."""
    from smskit.rules import by_code_or_name

    rule = by_code_or_name(code)
    if rule is None:
        raise _fail(f"unknown rule '{code}'; `smskit rules` lists them")
    print(rule.doc)
    opts = rule.option_fields()
    if opts:
        print("\nDefaults: " + ", ".join(f"{k}={v.default!r}" for k, v in opts.items()))
    print(f"Default severity: {rule.severity.value}")


@app.command()
def schema() -> None:
    """Print the campaign file format as JSON Schema (for yaml-language-server)."""
    import json

    from smskit.schema import json_schema

    print(json.dumps(json_schema(), indent=2, ensure_ascii=False))


@app.command()
def segments(
    text: Annotated[str | None, typer.Argument(help="Message text (default: read stdin).")] = None,
    jsonl: Annotated[
        bool, typer.Option("--jsonl", help="Read one JSON string per line; write JSON lines.")
    ] = False,
    smart_encoding: Annotated[
        bool, typer.Option("--smart-encoding", help="Apply Twilio Smart Encoding first.")
    ] = False,
) -> None:
    """Show how a text is encoded and split into SMS segments."""
    import json

    from smskit.encoding import analyze
    from smskit.segments_report import jsonl_record, render_text

    if jsonl:
        for n, line in enumerate(sys.stdin, 1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as e:
                raise _fail(f"stdin line {n}: not JSON ({e.msg}); one JSON string a line") from None
            if not isinstance(value, str):
                raise _fail(f"stdin line {n}: expected a JSON string, got {type(value).__name__}")
            print(json.dumps(jsonl_record(value, smart_encoding), ensure_ascii=False))
        return
    if text is None:
        text = sys.stdin.read().removesuffix("\n")
    print(render_text(analyze(text, smart_encoding), color=_use_color(None)))


@app.command()
def preview(
    campaign_file: Annotated[Path, typer.Argument(help="The campaign to preview.")],
    audience: Annotated[
        Path | None, typer.Option(help="Audience CSV (overrides the campaign's audience key).")
    ] = None,
    rows: Annotated[int, typer.Option(help="How many recipients to show.")] = 3,
) -> None:
    """Show a few recipients' rendered messages with their encoding and segments."""
    from itertools import islice

    from smskit.audience import AudienceError
    from smskit.encoding import encoding_and_segments
    from smskit.preflight import audience_paths
    from smskit.preflight import send_plan as recipients

    campaign = _load_campaign(campaign_file)
    aud, opt = audience_paths(campaign, audience)
    if aud is None:
        raise _fail(f"{campaign_file}: no audience; add 'audience: file.csv' or pass --audience")
    if not aud.is_file():
        raise _fail(f"{aud}: no such audience file")
    try:
        shown = 0
        for recipient, bodies in islice(recipients(campaign, audience=aud, opt_out=opt), rows):
            shown += 1
            print(f"row {recipient.row}: {recipient.e164}")
            for message, body in zip(campaign.messages, bodies, strict=True):
                enc, segs = encoding_and_segments(body, campaign.smart_encoding)
                plural = "s" if segs != 1 else ""
                print(f"  {message.id}: {enc}, {segs} segment{plural}, {len(body)} characters")
                for line in body.splitlines() or [""]:
                    print(f"    | {line}")
        if not shown:
            print("No recipient to show: every row is invalid, a duplicate or opted out.")
    except AudienceError as e:
        p = e.problem
        where = f"{aud}:{p.row}" if p.row else str(aud)
        raise _fail(f"{where}: {p.message}") from None


@app.command()
def send(
    campaign_file: Annotated[Path, typer.Argument(help="The campaign to send.")],
    audience: Annotated[
        Path | None, typer.Option(help="Audience CSV (overrides the campaign's audience key).")
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Send without asking.")] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Render and count everything; contact nobody.")
    ] = False,
    test_to: Annotated[
        list[str] | None,
        typer.Option("--test-to", help="Send to these numbers only (recorded apart)."),
    ] = None,
    rate: Annotated[
        float | None, typer.Option(help="Segments per second (default: by sender type).")
    ] = None,
    journal: Annotated[Path, typer.Option(help="Send journal.")] = Path(".smskit/journal.sqlite"),
    twilio_base_url: Annotated[
        str | None, typer.Option(help="Another Twilio base URL, e.g. the emulator.")
    ] = None,
    status_callback: Annotated[
        str | None, typer.Option(help="URL Twilio calls with delivery status.")
    ] = None,
    price: Annotated[
        float | None, typer.Option(help="Price per segment, for the cost estimate.")
    ] = None,
    config: Annotated[Path | None, typer.Option(help="Configuration file.")] = None,
) -> None:
    """Check a campaign, then send it through Twilio exactly once (resumable)."""
    from smskit.config import ConfigError, load_config
    from smskit.lint import UsageError, check_files
    from smskit.report import render
    from smskit.send import SendError, send_plan
    from smskit.send.from_campaign import campaign_hash, deliveries
    from smskit.send.tables import print_table

    if not campaign_file.is_file():
        raise _fail(f"{campaign_file}: no such campaign file")
    try:
        cfg = load_config(config)
        result = check_files([campaign_file], cfg)
        if result.campaigns:
            if audience is None and not result.campaigns[0].audience:
                raise _fail(
                    f"{campaign_file}: no audience to send to; add 'audience: file.csv' to the "
                    "campaign or pass --audience FILE"
                )
            from smskit.audience_check import add_audience_findings

            add_audience_findings(result, cfg, audience)
    except (ConfigError, UsageError) as e:
        raise _fail(str(e)) from None
    if result.errors or not result.campaigns:
        sys.stderr.write(render(result, "text", color=_use_color(None)) + "\n")
        raise _fail(
            f"not sending {campaign_file}: {result.errors} error-level finding(s) stand; "
            "fix them (smskit check --fix helps) or suppress them with a reason",
            EXIT_FINDINGS,
        )
    campaign = result.campaigns[0]
    common = {
        "campaign": campaign.slug,
        "journal_path": journal,
        "sender": campaign.sender,
        "messaging_service": campaign.messaging_service,
        "rate": rate,
        "interval": campaign.interval,
        "test_to": test_to,
        "base_url": twilio_base_url,  # or SMSKIT_TWILIO_BASE_URL: the adapter reads it
        "status_callback": status_callback,
    }
    if price is not None:
        common["price_per_segment"] = price
    try:
        digest = campaign_hash(campaign, audience)
        plan = send_plan(
            deliveries(campaign, audience), campaign_hash=digest, dry_run=True, **common
        )
        _print_plan(campaign, plan, test_to)
        if dry_run:
            return
        if not yes:
            if not sys.stdin.isatty():
                raise _fail("not sending without confirmation: pass --yes in scripts and CI")
            if not typer.confirm("Send now?", default=False):
                raise _fail("not sent", EXIT_FINDINGS)
        total = plan.this_run.get("to_send", 0) + plan.this_run.get("to_schedule", 0)
        summary = send_plan(
            deliveries(campaign, audience), campaign_hash=digest, yes=True, total=total, **common
        )
    except SendError as e:
        raise _fail(str(e), EXIT_FINDINGS) from None
    print_table(
        f"Send summary: {summary.campaign}",
        ("state", "count", "meaning"),
        summary.table(),
    )
    print(
        f"{summary.segments} segments, estimated cost {summary.estimated_cost:.2f} "
        f"{summary.currency}; {summary.elapsed:.1f} s"
    )
    if summary.interrupted:
        raise typer.Exit(130)
    if not summary.complete:
        print("Not finished: run the same command again to send what is left or due.")
    raise typer.Exit(EXIT_OK if summary.complete and not summary.failures else EXIT_FINDINGS)


def _print_plan(campaign, plan, test_to: list[str] | None) -> None:
    from smskit.send.tables import print_table

    s = plan.this_run
    when = campaign.send_at.isoformat() if campaign.send_at else "now"
    step = campaign.interval.total_seconds() if campaign.interval else 0
    sender = campaign.sender + (
        f" via {campaign.messaging_service}" if campaign.messaging_service else ""
    )
    rows = [
        ("campaign", campaign.slug),
        ("recipients", str(len(test_to)) + " (test send)" if test_to else s.get("recipients", 0)),
        ("messages per recipient", len(campaign.messages)),
        ("to send in this run", s.get("to_send", 0)),
        ("to schedule with Twilio", s.get("to_schedule", 0)),
        ("waiting for a later run", s.get("waiting", 0)),
        ("to look up first", s.get("to_look_up", 0)),  # an earlier run's outcome is unknown
        ("opted out (not sent)", s.get("opted_out", 0)),
        ("already done", s.get("already", 0)),
        ("segments", plan.segments),
        ("estimated cost", f"{plan.estimated_cost:.2f} {plan.currency}"),
        ("schedule", f"{when}, messages {step:g} s apart"),
        ("sender", sender),
    ]
    print_table("Send plan", ("", "value"), rows)


@app.command()
def emulator(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (0 picks a free one).")] = 8765,
    db: Annotated[Path, typer.Option(help="SQLite store; survives restarts.")] = Path(
        ".smskit/emulator.sqlite"
    ),
    account_sid: Annotated[
        str | None, typer.Option(help="Accepted account SID (default: $TWILIO_ACCOUNT_SID).")
    ] = None,
    auth_token: Annotated[
        str | None, typer.Option(help="Accepted auth token (default: $TWILIO_AUTH_TOKEN).")
    ] = None,
    error_rate: Annotated[float, typer.Option(help="Share of requests answered 500.")] = 0.0,
    lost_response_rate: Annotated[
        float, typer.Option(help="Share stored, then the connection dropped unanswered.")
    ] = 0.0,
    throttle_rate: Annotated[float, typer.Option(help="Share answered 429 (20429).")] = 0.0,
    latency: Annotated[float, typer.Option(help="Added latency per request, in ms.")] = 0.0,
    undelivered_rate: Annotated[
        float, typer.Option(help="Share of messages that end undelivered.")
    ] = 0.0,
    seed: Annotated[int | None, typer.Option(help="Seed for reproducible faults.")] = None,
    magic: Annotated[
        list[str] | None, typer.Option(help="NUMBER=CODE: a number that answers Twilio error CODE.")
    ] = None,
) -> None:
    """Run a local Twilio-compatible API for development, demos and tests."""
    from smskit.emulator.server import run

    try:
        run(
            host,
            port,
            db,
            account_sid,
            auth_token,
            error_rate=error_rate,
            lost_response_rate=lost_response_rate,
            throttle_rate=throttle_rate,
            latency_ms=latency,
            undelivered_rate=undelivered_rate,
            seed=seed,
            magic=magic,
        )
    except (ValueError, OSError) as e:
        raise _fail(str(e)) from None


@app.command()
def status(
    campaign_file: Annotated[Path, typer.Argument(help="The campaign file that was sent.")],
    journal: Annotated[Path, typer.Option(help="Send journal.")] = Path(".smskit/journal.sqlite"),
    csv: Annotated[Path | None, typer.Option("--csv", help="Also write every row here.")] = None,
    twilio_base_url: Annotated[
        str | None, typer.Option(help="Another Twilio base URL, e.g. the emulator.")
    ] = None,
    refresh: Annotated[bool, typer.Option(help="Ask again for final statuses too.")] = False,
) -> None:
    """Fetch delivery status for every journaled message and print the table."""
    from smskit.send import SendError, fetch_status, write_status_csv
    from smskit.send.tables import print_table

    slug = _load_campaign(campaign_file).slug
    try:
        report = fetch_status(
            slug,
            journal_path=journal,
            base_url=twilio_base_url,
            refresh_final=refresh,
        )
        rows = [(s, n) for s, n in report.table()]
        print_table(f"Delivery status: {slug}", ("status", "count"), rows)
        if report.errors:
            from smskit.send import explain

            print_table(
                "Errors",
                ("code", "count", "meaning"),
                [(c, n, explain(c)) for c, n in sorted(report.errors.items())],
            )
        if csv is not None:
            n = write_status_csv(slug, csv, journal_path=journal)
            print(f"Wrote {n} rows to {csv}")
    except SendError as e:
        raise _fail(str(e), EXIT_FINDINGS) from None


def _load_campaign(path: Path) -> Campaign:
    """A campaign file loaded, or one line naming its first problem (no full check)."""
    from smskit.loader import load

    if not path.is_file():
        raise _fail(f"{path}: no such campaign file")
    result = load(path)
    if result.campaign is None:
        p = result.problems[0]
        raise _fail(f"{path}:{p.at.line}:{p.at.column}: {p.message}")
    return result.campaign


def _app_for(args: list[str]) -> typer.Typer:
    """The app with only the command that ``args`` names, if it names one.

    Typer turns every command's signature into a click command before it parses anything
    (a few milliseconds each, much of `smskit check`'s start-up); a run uses one. The group
    stays a group (see the callback), so usage lines, help and errors read the same.
    """
    wanted = args[0] if args else None
    for info in app.registered_commands:
        name = info.name or info.callback.__name__.replace("_", "-")  # as Typer names it
        if name == wanted:
            single = copy.copy(app)
            single.registered_commands = [info]
            return single
    return app


def main(argv: list[str] | None = None) -> None:
    """Entry point: usage errors become one line on stderr with exit status 2, never a traceback."""
    from typer.main import get_command

    command = get_command(_app_for(sys.argv[1:] if argv is None else argv))
    with command_outcomes(typer.Abort):
        try:
            rv = command.main(args=argv, prog_name="smskit", standalone_mode=False)
        except Exception as e:
            if type(e).__name__ == "NoArgsIsHelpError":
                print(e.ctx.get_help() if getattr(e, "ctx", None) else "smskit --help")
                sys.exit(EXIT_USAGE)
            if hasattr(e, "format_message") and hasattr(e, "exit_code"):  # click usage errors
                sys.stderr.write(f"smskit: error: {e.format_message()} (see smskit --help)\n")
                sys.exit(EXIT_USAGE)
            raise
    sys.exit(rv if isinstance(rv, int) else EXIT_OK)
