"""The `tunebench` command: `login`, `whoami`, `teams`, `datasets`, `runs`, `submit`, on the API's
calls.

Global `--url` / `--api-key` override the environment and config file. Errors (and files that
cannot be read or written) print `error: <message>` to stderr and exit 1; usage errors exit 2
(argparse). `main` takes argv and returns the exit code so tests can call it directly.
"""

from __future__ import annotations

import argparse
import getpass
import json
import math
import re
import sys
from collections.abc import Container, Sequence
from typing import Any

from tunebench import config
from tunebench._version import __version__
from tunebench.client import Client
from tunebench.datasets import DOWNLOAD_FORMATS, Dataset
from tunebench.exceptions import AuthenticationError, ConfigError, TunebenchError
from tunebench.runs import Run
from tunebench.submissions import Submission

FLOW_NAME_WIDTH = 60
_MODULE_PATH = re.compile(r"\b(?:[A-Za-z_]\w*\.)+([A-Za-z_]\w*)")


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
    _print_table(rows, right={2})
    return 0


def cmd_datasets_list(args: argparse.Namespace) -> int:
    with _client(args) as client:
        datasets = client.list_datasets(
            name=args.name,
            tag=args.tag,
            uploader=args.uploader,
            status=args.status,
            limit=args.limit,
        )
    if datasets.empty:
        print("No datasets.")
        return 0
    rows = [("ID", "NAME", "VERSION", "STATUS", "INSTANCES", "FEATURES", "UPLOADER")]
    rows += [
        (
            str(row.id),
            row.name,
            str(row.version),
            row.status,
            _count(row.NumberOfInstances),
            _count(row.NumberOfFeatures),
            row.uploader,
        )
        for row in datasets.itertuples(index=False)
    ]
    _print_table(rows, right={0, 2, 4, 5})
    return 0


def cmd_datasets_upload(args: argparse.Namespace) -> int:
    with _client(args) as client:
        try:
            dataset = client.upload_dataset(
                args.path,
                name=args.name,
                description=args.description,
                default_target_attribute=args.target,
                row_id_attribute=args.row_id,
                ignore_attributes=args.ignore,
                tags=args.tag,
                visibility=args.visibility,
                team=args.team,
            )
        except ValueError as exc:  # options that contradict each other (visibility and team)
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(
            f"Uploaded dataset {dataset.id} ({dataset.name}, version {dataset.version}): "
            f"{dataset.status}."
        )
        if args.wait:
            dataset = client.wait_for_dataset(dataset.id, timeout=args.timeout)
            print(_summary(dataset))
    return 0


def cmd_datasets_download(args: argparse.Namespace) -> int:
    with _client(args) as client:
        path = client.download_dataset(args.id, args.output, format=args.format)
    print(path)
    return 0


def cmd_runs_list(args: argparse.Namespace) -> int:
    with _client(args) as client:
        runs = client.list_runs(
            task=args.task,
            flow=args.flow,
            uploader=args.uploader,
            status=args.status,
            tag=args.tag,
            limit=args.limit,
        )
    if runs.empty:
        print("No runs.")
        return 0
    rows = [("ID", "TASK", "FLOW", "STATUS", "MEASURE", "VALUE", "UPLOADER")]
    rows += [
        (
            str(row.id),
            str(row.task_id),
            f"{row.flow_id} {_short_flow_name(row.flow_name)}",
            row.status,
            row.evaluation_measure or "",
            _value(row.value),
            row.uploader or "",
        )
        for row in runs.itertuples(index=False)
    ]
    _print_table(rows, right={0, 1, 5})
    return 0


def cmd_runs_show(args: argparse.Namespace) -> int:
    with _client(args) as client:
        run = client.get_run(args.id)
    task = run.task_ref
    flow = run.flow
    fields = [
        ("run", str(run.id)),
        (
            "task",
            f"{run.task_id} ({task.dataset_name}, target {task.target})"
            if task
            else str(run.task_id),
        ),
        ("flow", f"{flow.id} {flow.name} (version {flow.version})" if flow else ""),
        ("configuration", "" if run.configuration_id is None else str(run.configuration_id)),
        ("uploader", run.uploader.username if run.uploader else ""),
        ("team", run.team.name if run.team else ""),
        ("origin", run.origin or ""),
        ("status", run.status or ""),
    ]
    if run.error:
        fields.append(("error", f"{run.error.code}: {run.error.message}"))
    fields += [
        ("seed", "" if run.seed is None else str(run.seed)),
        ("tags", ", ".join(run.tags)),
        ("created", run.created_at or ""),
        ("finished", run.finished_at or ""),
    ]
    width = max(len(name) for name, _ in fields) + 1
    for name, value in fields:
        print(f"{name + ':':<{width}} {value}".rstrip())
    if run.evaluations:
        print()
        rows = [("MEASURE", "VALUE", "STD")]
        rows += [
            (measure, _value(value), _value(run.evaluation_std.get(measure)))
            for measure, value in run.evaluations.items()
        ]
        _print_table(rows, right={1, 2})
    return 0


def cmd_runs_upload(args: argparse.Namespace) -> int:
    with _client(args) as client:
        run = client.publish_run(
            args.task,
            args.predictions,
            flow=args.flow,
            parameters=args.parameters,
            seed=args.seed,
            team=args.team,
            tags=args.tag,
            description=args.description,
        )
        print(f"Uploaded run {run.id} (task {run.task_id}, flow {args.flow}): {run.status}.")
        if args.wait:
            run = client.wait_for_run(run.id, timeout=args.timeout)
            print(_run_summary(run))
    return 0


def cmd_submit(args: argparse.Namespace) -> int:
    parameters: dict[str, Any] = {}
    for name, value in args.param:
        if name in parameters:
            print(f"error: --param {name} is given twice.", file=sys.stderr)
            return 2
        parameters[name] = value
    with _client(args) as client:
        submission = client.submit(
            args.task,
            args.estimator,
            parameters,
            seeds=args.seeds,
            team=args.team,
            tags=args.tag,
            description=args.description,
        )
        ids = ", ".join(str(run.id) for run in submission.runs)
        print(
            f"Submitted configuration {submission.configuration_id} "
            f"({submission.flow.name}) on task {submission.task_id}: runs {ids}."
        )
        for run, reused in zip(submission.runs, submission.reused, strict=True):
            print(_submitted_run(run, reused))
        if not args.wait:
            return 0
        submission.wait(timeout=args.timeout)
        for run in submission.failed:
            error = f"{run.error.code}: {run.error.message}" if run.error else "failed"
            print(f"error: run {run.id} (seed {run.seed}) failed: {error}", file=sys.stderr)
        _print_seed_summary(submission)
    return 1 if submission.failed else 0


def _submitted_run(run: Run, reused: bool) -> str:
    state = str(run.status)
    if run.status == "queued" and run.queue_position is not None:
        state += f", position {run.queue_position} in the queue"
    return f"  run {run.id}: seed {run.seed}, {state}" + (" (existing run)" if reused else "")


def _print_seed_summary(submission: Submission) -> None:
    summary = submission.seed_summary()
    done = sum(run.status == "done" for run in submission.runs)
    print(f"{done} of {len(submission.runs)} runs done.")
    if summary.empty:
        return
    rows = [("MEASURE", "SEEDS", "MEAN", "STD", "95% LOW", "95% HIGH")]
    rows += [
        (
            row.measure,
            str(row.n),
            _value(row.mean),
            _value(row.std),
            _value(row.low),
            _value(row.high),
        )
        for row in summary.itertuples(index=False)
    ]
    _print_table(rows, right={1, 2, 3, 4, 5})


def _run_summary(run: Run) -> str:
    measure = run.task_ref.evaluation_measure if run.task_ref else None
    if measure in run.evaluations:
        return f"Run {run.id} is {run.status}: {measure} {_value(run.evaluations[measure])}."
    return f"Run {run.id} is {run.status}."


def _short_flow_name(name: str) -> str:
    """A flow name without module paths (`Pipeline(scale=StandardScaler,...`), cut to fit."""
    short = _MODULE_PATH.sub(r"\1", name)
    return short if len(short) <= FLOW_NAME_WIDTH else short[: FLOW_NAME_WIDTH - 3] + "..."


def _value(value: Any) -> str:
    """A measure for a table cell: four decimals, missing as blank."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{value:.4f}"


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError("must be a JSON object, e.g. '{\"max_depth\": 3}'")
    return value


def _parameter(text: str) -> tuple[str, Any]:
    """`name=value`, the value read as JSON (`5`, `0.1`, `true`, `null`, `[64, 32]`), or as
    text when it is not JSON (`entropy`)."""
    name, equals, value = text.partition("=")
    if not equals or not name.strip():
        raise argparse.ArgumentTypeError(f"expected name=value, got {text!r}")
    try:
        return name.strip(), json.loads(value, parse_constant=_no_constant)
    except ValueError:
        return name.strip(), value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # NaN and Infinity stay text


def _seeds(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected integers separated by commas, got {text!r}"
        ) from None


def _summary(dataset: Dataset) -> str:
    sizes = [
        f"{_count(dataset.qualities.get(quality))} {word}"
        for quality, word in (("NumberOfInstances", "instances"), ("NumberOfFeatures", "features"))
        if dataset.qualities.get(quality) is not None
    ]
    return f"Dataset {dataset.id} is {dataset.status}" + (
        f": {', '.join(sizes)}." if sizes else "."
    )


def _count(value: Any) -> str:
    """A quality for a table cell: 150.0 as 150, missing as blank."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _print_table(rows: list[tuple[str, ...]], right: Container[int] = ()) -> None:
    """Columns two spaces apart, padded to their widest cell; `right` holds right-aligned ones."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [
            f"{cell:>{width}}" if i in right else f"{cell:<{width}}"
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        print("  ".join(cells).rstrip())


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

    datasets = commands.add_parser("datasets", help="list, upload and download datasets")
    actions = datasets.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="list datasets (active ones unless --status)")
    listing.add_argument("--name", help="part of the name, any case")
    listing.add_argument("--tag", help="only datasets with this tag")
    listing.add_argument("--uploader", help="only datasets this user uploaded")
    listing.add_argument(
        "--status", choices=["processing", "active", "error", "deactivated", "all"]
    )
    listing.add_argument("--limit", type=int, help="at most this many (default: all)")
    listing.set_defaults(handler=cmd_datasets_list)

    upload = actions.add_parser(
        "upload",
        help="upload a CSV, ARFF or Parquet file",
        description="Upload a CSV, ARFF or Parquet file; an existing name gets a new version.",
    )
    upload.add_argument("path", help="the file")
    upload.add_argument("--name", required=True, help="the dataset's name")
    upload.add_argument("--target", help="the default target column")
    upload.add_argument("--row-id", help="the column that identifies rows")
    upload.add_argument(
        "--ignore", action="append", default=[], metavar="COLUMN", help="a column to ignore"
    )
    upload.add_argument("--tag", action="append", default=[], help="a tag (repeatable)")
    upload.add_argument("--description", default="", help="Markdown")
    upload.add_argument("--visibility", choices=["public", "team", "private"])
    upload.add_argument("--team", type=int, help="team id to share it with (visibility team)")
    upload.add_argument("--wait", action="store_true", help="wait until processing is done")
    upload.add_argument(
        "--timeout", type=float, default=600, help="seconds --wait waits (default: 600)"
    )
    upload.set_defaults(handler=cmd_datasets_upload)

    download = actions.add_parser("download", help="save a dataset's data to a file")
    download.add_argument("id", type=int, help="dataset id")
    download.add_argument("--format", choices=DOWNLOAD_FORMATS, default="parquet")
    download.add_argument(
        "-o",
        "--output",
        help="file or directory (default: the current directory, as <name>-v<version>.<ext>)",
    )
    download.set_defaults(handler=cmd_datasets_download)

    runs = commands.add_parser("runs", help="list, show and upload runs")
    actions = runs.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="list runs, newest first")
    listing.add_argument("--task", type=int, help="only runs on this task")
    listing.add_argument("--flow", type=int, help="only runs of this flow")
    listing.add_argument("--uploader", help="only runs this user uploaded")
    listing.add_argument("--status", choices=["queued", "running", "scoring", "done", "failed"])
    listing.add_argument("--tag", help="only runs with this tag")
    listing.add_argument("--limit", type=int, help="at most this many (default: all)")
    listing.set_defaults(handler=cmd_runs_list)

    show = actions.add_parser("show", help="show a run and its evaluations")
    show.add_argument("id", type=int, help="run id")
    show.set_defaults(handler=cmd_runs_show)

    upload = actions.add_parser(
        "upload",
        help="upload a predictions file",
        description="Upload OpenML predictions (repeat, fold, row_id, prediction, "
        "confidence.<label>...) as a Parquet, CSV or ARFF file.",
    )
    upload.add_argument("predictions", help="the predictions file")
    upload.add_argument("--task", type=int, required=True, help="task id")
    upload.add_argument("--flow", type=int, required=True, help="flow id")
    upload.add_argument(
        "--parameters",
        type=_json_object,
        help="hyperparameter values as a JSON object, e.g. '{\"max_depth\": 3}' "
        "(default: the flow's defaults)",
    )
    upload.add_argument("--seed", type=int, help="the seed the predictions were made with")
    upload.add_argument("--team", type=int, help="team id to attribute the run to")
    upload.add_argument("--tag", action="append", default=[], help="a tag (repeatable)")
    upload.add_argument("--description", default="", help="Markdown")
    upload.add_argument("--wait", action="store_true", help="wait until the run is scored")
    upload.add_argument(
        "--timeout", type=float, default=600, help="seconds --wait waits (default: 600)"
    )
    upload.set_defaults(handler=cmd_runs_upload)

    submit = commands.add_parser(
        "submit",
        help="have the server run an estimator's configuration on a task",
        description="Have the server execute a configuration of one of its estimators "
        "(GET /api/v1/estimators/) on a task, one run per seed.",
    )
    submit.add_argument("--task", type=int, required=True, help="task id")
    submit.add_argument(
        "--estimator",
        required=True,
        help="the estimator's name, e.g. sklearn.ensemble.RandomForestClassifier",
    )
    submit.add_argument(
        "--param",
        type=_parameter,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a hyperparameter value, read as JSON (5, 0.1, true, null, [64, 32]) or else as "
        "text (entropy); repeatable. The others take the defaults.",
    )
    submit.add_argument(
        "--seeds", type=_seeds, help="seeds separated by commas (default: 0,1,2,3,4)"
    )
    submit.add_argument("--team", type=int, help="team id to run for (its quota, its runs)")
    submit.add_argument("--tag", action="append", default=[], help="a tag (repeatable)")
    submit.add_argument("--description", default="", help="Markdown")
    submit.add_argument(
        "--wait",
        action="store_true",
        help="wait until every run is finished, then print the results across seeds",
    )
    submit.add_argument("--timeout", type=float, help="seconds --wait waits (default: no limit)")
    submit.set_defaults(handler=cmd_submit)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except AuthenticationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        print("hint: run `tunebench login`, or set TUNEBENCH_API_KEY.", file=sys.stderr)
        return 1
    except (TunebenchError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
