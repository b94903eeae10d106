"""No uploaded byte ever becomes code (reliability-checklist.md S2): an AST scan of our code.

Refused everywhere in first-party code: importing pickle, joblib, dill, cloudpickle or
marshal; calling eval, exec, compile or __import__; importlib.import_module; yaml.load; and
numpy.load with allow_pickle=True. Executable estimators come from the engine's registry,
a dict of classes imported by explicit statements.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = [
    "accounts",
    "api",
    "config",
    "datasets",
    "flows",
    "frontend",
    "health",
    "runs",
    "tasks",
    "client/src/tunebench",
    "bench",
]
BANNED_MODULES = {"pickle", "joblib", "dill", "cloudpickle", "marshal", "shelve"}
BANNED_CALLS = {"eval", "exec", "compile", "__import__"}


def _sources():
    for package in PACKAGES:
        yield from sorted((ROOT / package).rglob("*.py"))


def _problems(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Import):
            found += [
                f"{where} import {a.name}"
                for a in node.names
                if a.name.split(".")[0] in BANNED_MODULES
            ]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[0] in BANNED_MODULES:
                found.append(f"{where} from {node.module} import")
            if node.module == "importlib" and any(a.name == "import_module" for a in node.names):
                found.append(f"{where} importlib.import_module")
        elif isinstance(node, ast.Call):
            function = node.func
            if isinstance(function, ast.Name) and function.id in BANNED_CALLS:
                found.append(f"{where} {function.id}()")
            if isinstance(function, ast.Attribute):
                owner = function.value.id if isinstance(function.value, ast.Name) else ""
                if (owner, function.attr) in {("importlib", "import_module"), ("yaml", "load")}:
                    found.append(f"{where} {owner}.{function.attr}()")
                if function.attr == "load" and any(
                    k.arg == "allow_pickle"
                    and not (isinstance(k.value, ast.Constant) and k.value.value is False)
                    for k in node.keywords
                ):
                    found.append(f"{where} load(allow_pickle=...)")
    return found


def test_no_first_party_code_turns_bytes_into_code():
    sources = list(_sources())
    assert len(sources) > 50  # the scan sees the code
    problems = [problem for path in sources for problem in _problems(path)]
    assert problems == []


def test_the_scan_catches_what_it_looks_for(tmp_path, monkeypatch):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import pickle\nfrom importlib import import_module\nimport importlib\n"
        "eval('1')\nimportlib.import_module('os')\nnp.load('f', allow_pickle=True)\n"
    )
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert len(_problems(bad)) == 5
