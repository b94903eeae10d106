"""The `tunebench` command: `login`, `whoami` and `teams`, on the same calls as the Python API.

Global `--url` / `--api-key` override the environment and config file. Errors print
`error: <message>` to stderr and exit 1; usage errors exit 2 (argparse). `main` takes argv and
returns the exit code so tests can call it directly.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence

from tunebench import config
from tunebench._version import __version__
from tunebench.client import Client
from tunebench.exceptions import AuthenticationError, ConfigError, TunebenchError


def _client(args: argparse.Namespace) -> Client:
    settings = config.resolve(url=args.url, api_key=args.api_key)
    return Client(settings.url, settings.api_key)


def cmd_login(args: argparse.Namespace) -> int:
    # Only the URL comes from the usual sources: login's job is to store a key, so it asks for one.
    # An explicit --url skips the config file, so login can replace a broken one.
    url = config.normalize_url(args.url) if args.url else config.resolve().url
    api_key = args.api_key
    if not api_key:
        try:
            api_key = getpass.getpass(f"API key for {url}: ")
        except EOFError:
            api_key = ""
    api_key = api_key.strip()
    if not api_key:
        raise ConfigError("No API key given. Create one on your profile page.")
    with Client(url, api_key) as client:
        user = client.whoami()  # write nothing until the server accepts the key
    config.write_config(url=url, api_key=api_key)
    print(f"Logged in to {url} as {user.username}.")
    return 0


def cmd_whoami(args: argparse.Namespace) -> int:
    with _client(args) as client:
        user = client.whoami()
    teams = ", ".join(f"{team.slug} ({team.role})" for team in user.teams) or "(none)"
    print(f"username: {user.username}")
    print(f"email:    {user.email}")
    print(f"teams:    {teams}")
    return 0


def cmd_teams(args: argparse.Namespace) -> int:
    with _client(args) as client:
        teams = client.list_teams()
    if not teams:
        print("No teams.")
        return 0
    rows = [("SLUG", "NAME", "MEMBERS")]
    rows += [(team.slug, team.name, str(team.member_count)) for team in teams]
    slug_width = max(len(row[0]) for row in rows)
    name_width = max(len(row[1]) for row in rows)
    members_width = max(len(row[2]) for row in rows)
    for slug, name, members in rows:
        print(f"{slug:<{slug_width}}  {name:<{name_width}}  {members:>{members_width}}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tunebench", description="Command-line client for a Tunebench server."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--url", help="server URL (default: $TUNEBENCH_URL, config file, localhost)"
    )
    parser.add_argument("--api-key", help="API key (default: $TUNEBENCH_API_KEY, config file)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    login = commands.add_parser(
        "login",
        help="check an API key and save it to the config file",
        description=f"Check an API key and save it, with the URL, to {config.config_path()}.",
    )
    # SUPPRESS: otherwise the subcommand's unset option would overwrite a global --url/--api-key.
    login.add_argument("--url", default=argparse.SUPPRESS, help="server URL")
    login.add_argument(
        "--api-key", default=argparse.SUPPRESS, help="API key (prompted for when omitted)"
    )
    login.set_defaults(handler=cmd_login)

    whoami = commands.add_parser("whoami", help="show the user the API key belongs to")
    whoami.set_defaults(handler=cmd_whoami)

    teams = commands.add_parser("teams", help="list teams")
    teams.set_defaults(handler=cmd_teams)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except AuthenticationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        print("hint: run `tunebench login`, or set TUNEBENCH_API_KEY.", file=sys.stderr)
        return 1
    except TunebenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
