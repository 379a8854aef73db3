"""The smskit command line (placeholder until the core lands)."""

import typer

app = typer.Typer(no_args_is_help=True)


def main() -> None:
    app()
