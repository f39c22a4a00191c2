"""The `nrtg` command line. Subcommands live in their own modules and are imported only when run,
so `nrtg --help` stays fast (sqlglot, duckdb and pyarrow each cost 0.2-0.35 s to import)."""

from __future__ import annotations

import importlib
import sys

import click

# name -> (module, attribute, one-line help). Help text is here so `--help` imports nothing.
SUBCOMMANDS: dict[str, tuple[str, str, str]] = {
    "compile": (
        "nrtg.commands.compile",
        "compile_cmd",
        "Compile a Flink SQL script and print its plans.",
    ),
    "run": (
        "nrtg.commands.run",
        "run_cmd",
        "Run a script in batch (DuckDB) or stream (Kafka) mode.",
    ),
    "catalog": ("nrtg.commands.catalog", "catalog_group", "Inspect, change and serve the catalog."),
    "golden": ("nrtg.commands.golden", "golden_group", "Run and re-bless golden regression cases."),
    "nexmark": ("nrtg.commands.nexmark", "nexmark_group", "Generate seeded Nexmark data."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(SUBCOMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = SUBCOMMANDS.get(cmd_name)
        if entry is None:
            return None
        module_name, attr, _ = entry
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as e:
            if e.name != module_name:
                raise
            return _not_built(cmd_name)
        command: click.Command = getattr(module, attr)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, SUBCOMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _not_built(name: str) -> click.Command:
    @click.command(name=name, help=SUBCOMMANDS[name][2])
    def missing() -> None:
        raise click.UsageError(f"'nrtg {name}' is not available in this build")

    return missing


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="nrtg")
def main() -> None:
    """nrtg: write a streaming job once in Flink SQL; run it on Kafka, DuckDB or Flink."""


if __name__ == "__main__":
    sys.exit(main())
