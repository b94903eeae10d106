"""Flows: describe a scikit-learn estimator or pipeline as JSON, publish it, and find flows.

A flow is an algorithm as the server stores it, the way openml-python describes one: a `name`
(the class path, with the component structure for composite estimators, e.g.
`sklearn.pipeline.Pipeline(scale=sklearn.preprocessing._data.StandardScaler,clf=...)`), an
`external_version` (`sklearn==1.5.2`), its parameters with JSON defaults, and its components:
every parameter whose value is an estimator, and every step of a Pipeline, FeatureUnion,
ColumnTransformer or other `(name, estimator, ...)` list, nested recursively. Nothing is ever
pickled: `flow_from_sklearn` reads only the class, its `__init__` signature and docstring and
`get_params(deep=False)`. Values JSON cannot hold (a function, a class, NaN, a kernel object) are
described by a deterministic string such as `<function numpy.log1p>`, never by a `repr` that
contains a memory address, so the same estimator always gives the same flow.

`Flow.parameter_values(estimator)` gives an estimator's current values in the configuration
convention of the API, scikit-learn's own `get_params(deep=True)` keys (`clf__max_depth`), JSON
only. `FlowsAPI` adds the calls to `tunebench.Client`. scikit-learn is imported on first use.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import inspect
import math
import numbers
import operator
import re
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from tunebench._parsing import parse_response
from tunebench.api import APIClient
from tunebench.datasets import UserRef
from tunebench.exceptions import NotFound, TunebenchError

if TYPE_CHECKING:
    import pandas as pd

    from tunebench.client import Client

MAX_NAME_LENGTH = 255  # the server's limit on a flow's name and external_version
DATA_TYPES = ("int", "float", "bool", "str", "list", "dict", "any")
# list-valued parameters that hold (name, estimator, ...) steps even when no step is an estimator
STEP_LISTS = ("steps", "transformer_list", "transformers", "estimators")
STEP_STRINGS = ("drop", "passthrough")
LIST_COLUMNS = (
    "id",
    "name",
    "version",
    "external_version",
    "class_name",
    "language",
    "uploader",
    "tags",
    "created_at",
)
_NOT_JSON = object()  # what `_to_json` returns for a value JSON cannot hold
_EMPTY = inspect.Parameter.empty
_SECTION = re.compile(r"^(\S[^\n]*)\n-{3,}\s*$", re.MULTILINE)
_DOC_ENTRY = re.compile(r"^([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s*:")


@dataclass(frozen=True)
class FlowParameter:
    """One parameter: `data_type` is one of `DATA_TYPES`, inferred from the JSON `default`."""

    name: str
    data_type: str
    default: Any
    description: str = ""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FlowParameter:
        return cls(
            name=data["name"],
            data_type=data["data_type"],
            default=data["default"],
            description=data.get("description") or "",
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "data_type": self.data_type,
            "default": self.default,
            "description": self.description,
        }


@dataclass(frozen=True)
class FlowRef:
    """A flow as other objects refer to one (a run's flow, a component in a list);
    `executable` when it is one of the server's flows for a registry estimator."""

    id: int
    name: str
    version: int
    external_version: str = ""
    executable: bool = False

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FlowRef:
        return cls(
            id=data["id"],
            name=data["name"],
            version=data["version"],
            external_version=data.get("external_version", ""),
            executable=bool(data.get("executable", False)),
        )


@dataclass
class FlowComponent:
    """A sub-flow: `identifier` is the parameter or step name that holds it."""

    identifier: str
    flow: Flow | FlowRef


@dataclass
class Flow:
    """An algorithm or pipeline, as the server describes it (or as `flow_from_sklearn` made it).

    `id`, `version`, `url`, `uploader` and `created_at` are None until the flow is published
    (`publish()`) or when it was built locally; `version` is the server's 1, 2, ... per name.
    `dependencies` is newline-separated (`sklearn==1.5.2\\nnumpy==2.1.0`). `components` hold full
    `Flow`s, except in a flow read from a list, where they may be `FlowRef`s. The server's own
    flows (no uploader) are `executable`: `estimator` is the registry estimator they run (see
    `tunebench.submit`). `client` is the connection that publishes or fetched it (the default
    connection when None); it is left out of `repr` and `==`.
    """

    name: str
    external_version: str
    description: str = field(default="", repr=False)
    language: str = field(default="Python", repr=False)
    dependencies: str = field(default="", repr=False)
    class_name: str = field(default="", repr=False)
    parameters: list[FlowParameter] = field(default_factory=list, repr=False)
    components: list[FlowComponent] = field(default_factory=list, repr=False)
    tags: list[str] = field(default_factory=list, repr=False)
    executable: bool = field(default=False, repr=False)
    estimator: str = field(default="", repr=False)
    id: int | None = None
    version: int | None = None
    url: str | None = field(default=None, repr=False)
    uploader: UserRef | None = field(default=None, repr=False)
    created_at: str | None = field(default=None, repr=False)
    client: FlowsAPI | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any], client: FlowsAPI | None = None) -> Flow:
        uploader = data.get("uploader")
        return cls(
            id=data["id"],
            url=data.get("url"),
            name=data["name"],
            version=data["version"],
            external_version=data["external_version"],
            description=data.get("description") or "",
            language=data.get("language") or "",
            dependencies=data.get("dependencies") or "",
            class_name=data.get("class_name") or "",
            uploader=UserRef.from_json(uploader) if uploader else None,
            created_at=data.get("created_at"),
            tags=[str(tag) for tag in data.get("tags", [])],
            executable=bool(data.get("executable", False)),
            estimator=data.get("estimator") or "",
            parameters=[FlowParameter.from_json(item) for item in data.get("parameters", [])],
            components=[
                FlowComponent(item["identifier"], FlowRef.from_json(item["flow"]))
                for item in data.get("components", [])
            ],
            client=client,
        )

    def to_json(self) -> dict[str, Any]:
        """The body of `POST /api/v1/flows/`: this flow with its components nested."""
        components = []
        for component in self.components:
            if not isinstance(component.flow, Flow):
                raise TypeError(
                    f"Component {component.identifier!r} is only a reference to flow "
                    f"{component.flow.id}; get the full flow with get_flow({self.id})."
                )
            components.append(
                {"identifier": component.identifier, "flow": component.flow.to_json()}
            )
        return {
            "name": self.name,
            "external_version": self.external_version,
            "description": self.description,
            "language": self.language,
            "dependencies": self.dependencies,
            "class_name": self.class_name,
            "parameters": [parameter.to_json() for parameter in self.parameters],
            "components": components,
            "tags": list(self.tags),
        }

    def publish(self) -> Flow:
        """Publish the flow with its components (or find the identical one already there); sets
        `id` and `version`, on the components too, and returns this flow. A flow of the same
        name and external_version with another definition raises `TunebenchError` with code
        `flow_conflict` (HTTP 409)."""
        return self._api().publish_flow(self)

    def parameter_values(self, estimator: Any) -> dict[str, Any]:
        """The estimator's current values, flat and JSON only, as a configuration holds them:
        the flow's own parameters by name, a component's as `<identifier>__<name>` (the keys of
        `get_params(deep=True)`), recursively. Estimators are left out (they are components);
        values JSON cannot hold are described by strings, as defaults are. Raises `ValueError`
        when the estimator does not have this flow's structure."""
        described, values = _describe(estimator)
        if described.name != self.name:
            raise ValueError(
                f"The estimator is a {described.name}, not a {self.name}; describe it with "
                "flow_from_sklearn first."
            )
        return values

    def _api(self) -> Client:
        if self.client is not None:
            return self.client  # type: ignore[return-value]  # always a Client in practice
        from tunebench.client import default_client  # client.py imports this module

        return default_client()


@dataclass(frozen=True)
class Configuration:
    """A flow with concrete hyperparameter values (OpenML's setup): `parameters` holds every
    parameter of the flow and its components (`clf__max_depth`), defaults filled in."""

    id: int
    url: str | None
    flow: FlowRef
    parameters: dict[str, Any]
    hash: str
    created_at: str

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Configuration:
        return cls(
            id=data["id"],
            url=data.get("url"),
            flow=FlowRef.from_json(data["flow"]),
            parameters=dict(data["parameters"]),
            hash=data["hash"],
            created_at=data["created_at"],
        )


# -- describing scikit-learn estimators -----------------------------------------------------------


def flow_from_sklearn(estimator: Any) -> Flow:
    """The `Flow` describing a scikit-learn estimator or pipeline (see the module docstring).

    Parameters come from `get_params(deep=False)`, with defaults from the class's `__init__`
    signature (the current value for a parameter without one, such as a Pipeline's `steps`,
    which is kept as a JSON description of the structure: `[["scale", {"component": "scale"}],
    ...]`). Estimator-valued parameters and steps become components, so they are not parameters.
    A name longer than the server's 255 characters is cut and ends in `#` and 16 hex digits of
    the full name's SHA-256, so it still identifies the structure.
    """
    if not _is_estimator(estimator):
        raise TypeError(
            f"Expected a scikit-learn estimator (with fit, get_params and set_params), got "
            f"{type(estimator).__name__}."
        )
    flow, _ = _describe(estimator)
    return flow


def _is_estimator(value: Any) -> bool:
    """scikit-learn's duck typing: an instance with fit, get_params and set_params."""
    return not isinstance(value, type) and all(
        callable(getattr(value, name, None)) for name in ("fit", "get_params", "set_params")
    )


def _describe(estimator: Any) -> tuple[Flow, dict[str, Any]]:
    """The estimator's flow and its current values (`Flow.parameter_values`), in one walk."""
    cls = type(estimator)
    class_name = _path(cls)
    defaults = _signature_defaults(cls)
    docs = _parameter_docs(cls)
    parameters: list[FlowParameter] = []
    components: list[FlowComponent] = []
    own: dict[str, Any] = {}
    nested: dict[str, Any] = {}
    parts: list[str] = []

    def add_component(identifier: str, value: Any) -> None:
        if identifier in {component.identifier for component in components}:
            raise ValueError(f"{class_name} has two components named {identifier!r}.")
        sub_flow, sub_values = _describe(value)
        components.append(FlowComponent(identifier, sub_flow))
        parts.append(f"{identifier}={sub_flow.name}")
        nested.update({f"{identifier}__{key}": item for key, item in sub_values.items()})

    for key, value in estimator.get_params(deep=False).items():
        if _is_estimator(value):
            add_component(key, value)
            continue
        if _is_step_list(key, value):
            structure = []
            for step in value:
                step_name, step_value = step[0], step[1]
                if _is_estimator(step_value):
                    add_component(step_name, step_value)
                    entry: list[Any] = [step_name, {"component": step_name}]
                else:
                    parts.append(f"{step_name}={step_value}")
                    entry = [step_name, step_value]
                structure.append(entry + [_json_or_description(extra) for extra in step[2:]])
            parameters.append(FlowParameter(key, "list", structure, docs.get(key, "")))
            own[key] = structure
            continue
        default = defaults.get(key, _EMPTY)
        declared = value if default is _EMPTY else default
        parameters.append(
            FlowParameter(
                key,
                _declared_type(cls, key, declared),
                _json_or_description(declared),
                docs.get(key, ""),
            )
        )
        own[key] = _json_or_description(value)

    name = f"{class_name}({','.join(parts)})" if parts else class_name
    flow = Flow(
        name=_fit_name(name),
        external_version=_external_version(cls),
        description=_first_paragraph(inspect.getdoc(cls) or ""),
        language="Python",
        dependencies=_dependencies(cls),
        class_name=class_name,
        parameters=parameters,
        components=components,
    )
    return flow, {**own, **nested}


def _is_step_list(key: str, value: Any) -> bool:
    """A list of `(name, estimator | "drop" | "passthrough" | None, ...)` tuples."""
    if not isinstance(value, list | tuple) or not value:
        return False
    steps = [
        item
        for item in value
        if isinstance(item, list | tuple)
        and len(item) >= 2
        and isinstance(item[0], str)
        and (_is_estimator(item[1]) or item[1] is None or item[1] in STEP_STRINGS)
    ]
    if len(steps) != len(value):
        return False
    return key in STEP_LISTS or any(_is_estimator(item[1]) for item in value)


def _path(obj: Any) -> str:
    module = getattr(obj, "__module__", None) or type(obj).__module__
    qualname = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    return f"{module}.{qualname}"


def _signature_defaults(cls: type) -> dict[str, Any]:
    try:
        signature = inspect.signature(cls.__init__)
    except (TypeError, ValueError):  # a builtin __init__: nothing to read
        return {}
    return {name: parameter.default for name, parameter in signature.parameters.items()}


def _to_json(value: Any) -> Any:
    """The value as plain JSON (tuples become lists, numpy scalars Python numbers), or
    `_NOT_JSON` when some part of it cannot be JSON (NaN, infinity, objects, non-text keys)."""
    if value is None or isinstance(value, bool | str):
        return value
    item = getattr(value, "item", None)
    if type(value).__module__ == "numpy" and callable(item) and getattr(value, "ndim", 1) == 0:
        return _to_json(item())  # numpy scalars
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, float):  # numbers.Real would also take Fraction and Decimal
        return float(value) if math.isfinite(value) else _NOT_JSON
    if isinstance(value, list | tuple):
        items = [_to_json(item) for item in value]
        return _NOT_JSON if any(item is _NOT_JSON for item in items) else items
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            return _NOT_JSON
        converted = {key: _to_json(item) for key, item in value.items()}
        return _NOT_JSON if any(item is _NOT_JSON for item in converted.values()) else converted
    tolist = getattr(value, "tolist", None)
    if type(value).__module__ == "numpy" and callable(tolist):  # numpy arrays
        return _to_json(tolist())
    return _NOT_JSON


def _json_or_description(value: Any) -> Any:
    converted = _to_json(value)
    return _description(value) if converted is _NOT_JSON else converted


def _data_type(value: Any) -> str:
    converted = _to_json(value)
    if converted is None or converted is _NOT_JSON:
        return "any"
    for kind, name in ((bool, "bool"), (int, "int"), (float, "float"), (str, "str")):
        if isinstance(converted, kind):
            return name
    return "list" if isinstance(converted, list) else "dict"


def _declared_type(cls: type, name: str, default: Any) -> str:
    """The default's type, unless scikit-learn's own `_parameter_constraints` say the parameter
    also takes values of another JSON type: then `any`. `min_samples_split` (default 2) also
    takes a fraction such as 0.1 and `max_features` (default "sqrt") also 0.5, and declaring
    them `int` or `str` would make the server refuse (or, for int vs float, re-type) such
    values. An estimator without constraints (not scikit-learn's) is typed by its default."""
    kind = _data_type(default)
    constraints = getattr(cls, "_parameter_constraints", None)
    if kind == "any" or not isinstance(constraints, dict) or name not in constraints:
        return kind
    allowed = constraints[name]
    if not isinstance(allowed, list):  # "no_validation"
        return "any"
    kinds = {_constraint_kind(constraint) for constraint in allowed} - {"null"}
    return kind if kinds == {kind} else "any"


def _constraint_kind(constraint: Any) -> str:
    """The JSON type one scikit-learn parameter constraint admits (`null` for None)."""
    if constraint is None:
        return "null"
    if constraint == "boolean":
        return "bool"
    if isinstance(constraint, str):  # "array-like", "random_state", "verbose", ...
        return "any"
    inner = getattr(constraint, "constraint", None)  # Hidden(...)
    if inner is not None:
        return _constraint_kind(inner)
    kind = constraint if isinstance(constraint, type) else getattr(constraint, "type", None)
    if not isinstance(kind, type):  # callable, HasMethods(...), ...
        return "any"
    for base, name in ((bool, "bool"), (str, "str"), (list, "list"), (dict, "dict")):
        if issubclass(kind, base):
            return name
    if issubclass(kind, numbers.Integral):
        return "int"
    if issubclass(kind, numbers.Real):  # Real, RealNotInt, float
        return "float"
    return "any"


def _description(value: Any) -> str:
    """A deterministic text for a value JSON cannot hold: never a memory address."""
    converted = _to_json(value)
    if converted is not _NOT_JSON:
        return repr(converted)
    if isinstance(value, float):
        return repr(value)  # nan, inf, -inf
    if isinstance(value, list | tuple):
        inner = ", ".join(_description(item) for item in value)
        return (
            f"[{inner}]"
            if isinstance(value, list)
            else f"({inner}{',' if len(value) == 1 else ''})"
        )
    if isinstance(value, set | frozenset):
        return "{" + ", ".join(sorted(_description(item) for item in value)) + "}"
    if isinstance(value, dict):
        inner = ", ".join(f"{_description(k)}: {_description(v)}" for k, v in value.items())
        return "{" + inner + "}"
    if isinstance(value, type):
        return f"<class {_path(value)}>"
    if isinstance(value, partial):
        arguments = [_description(arg) for arg in value.args]
        arguments += [f"{key}={_description(arg)}" for key, arg in value.keywords.items()]
        return f"<partial {_description(value.func)}({', '.join(arguments)})>"
    if callable(value) and hasattr(value, "__name__"):  # functions, builtins, ufuncs, methods
        return f"<function {_path(value)}>"
    if type(value).__module__ == "numpy" and type(value).__name__.startswith("dtype"):
        return f"<dtype {value}>"
    if isinstance(value, slice | range | complex):
        return repr(value)
    get_params = getattr(value, "get_params", None)
    if callable(get_params):  # e.g. a Gaussian process kernel
        params = get_params(deep=False)
        inner = ",".join(f"{key}={_description(params[key])}" for key in sorted(params))
        return f"{_path(type(value))}({inner})"
    attributes = getattr(value, "__dict__", None)
    if isinstance(attributes, dict) and all(_is_plain(item) for item in attributes.values()):
        # e.g. make_column_selector(dtype_include=np.number): small objects of plain settings
        inner = ",".join(f"{key}={_description(attributes[key])}" for key in sorted(attributes))
        return f"{_path(type(value))}({inner})"
    return f"<{_path(type(value))}>"


def _is_plain(value: Any) -> bool:
    return _to_json(value) is not _NOT_JSON or isinstance(value, type | float)


def _first_paragraph(text: str) -> str:
    paragraph = text.strip().split("\n\n", 1)[0]
    return " ".join(paragraph.split())


def _parameter_docs(cls: type) -> dict[str, str]:
    """The first paragraph of each parameter's entry in a numpydoc `Parameters` section."""
    doc = inspect.getdoc(cls) or ""
    headers = list(_SECTION.finditer(doc))
    for index, header in enumerate(headers):
        if header.group(1).strip() != "Parameters":
            continue
        end = headers[index + 1].start() if index + 1 < len(headers) else len(doc)
        return _entries(doc[header.end() : end])
    return {}


def _entries(section: str) -> dict[str, str]:
    docs: dict[str, str] = {}
    names: list[str] = []
    lines: list[str] = []

    def flush() -> None:
        text = _first_paragraph("\n".join(lines))
        for name in names:
            docs.setdefault(name, text)

    for line in section.splitlines():
        match = _DOC_ENTRY.match(line)
        if match and not line[:1].isspace():
            flush()
            names = [name.strip() for name in match.group(1).split(",")]
            lines = []
        elif names:
            lines.append(line.strip())
    flush()
    return docs


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def _package(cls: type) -> str:
    return cls.__module__.split(".", 1)[0]


def _sklearn_version() -> str:
    import sklearn  # lazily: see the module docstring

    return sklearn.__version__


def _external_version(cls: type) -> str:
    """`sklearn==<version>`, preceded by the estimator's own package for a third-party class
    (`xgboost==2.1.0,sklearn==1.5.2`), as openml-python writes it."""
    sklearn = f"sklearn=={_sklearn_version()}"
    package = _package(cls)
    own = None if package == "sklearn" else _version(package)
    return f"{package}=={own},{sklearn}" if own else sklearn


def _dependencies(cls: type) -> str:
    lines = [f"sklearn=={_sklearn_version()}"]
    for distribution in ("numpy", "scipy"):
        version = _version(distribution)
        if version:
            lines.append(f"{distribution}=={version}")
    package = _package(cls)
    own = None if package in ("sklearn", "numpy", "scipy") else _version(package)
    if own:
        lines.append(f"{package}=={own}")
    return "\n".join(lines)


def _fit_name(name: str) -> str:
    if len(name) <= MAX_NAME_LENGTH:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:16]
    return f"{name[: MAX_NAME_LENGTH - 17]}#{digest}"


# -- the API --------------------------------------------------------------------------------------


def _flow_path(flow_id: int, suffix: str = "") -> str:
    # operator.index refuses strings, so no id can smuggle a path into the URL.
    return f"flows/{operator.index(flow_id)}/{suffix}"


def _list_row(item: dict[str, Any]) -> dict[str, Any]:
    uploader = item.get("uploader")
    return {
        "id": item["id"],
        "name": item["name"],
        "version": item["version"],
        "external_version": item["external_version"],
        "class_name": item.get("class_name") or "",
        "language": item.get("language") or "",
        "uploader": uploader["username"] if uploader else None,
        "tags": list(item.get("tags", [])),
        "created_at": item.get("created_at"),
    }


class FlowsAPI(APIClient):
    """The flow and configuration calls of `tunebench.Client`."""

    def publish_flow(self, flow: Flow) -> Flow:
        """Publish `flow` with its components nested (`flow.publish()`); sets its `id`,
        `version` and `url` and its components' ids, and returns it. HTTP 201 for a new flow,
        200 for an identical one already there; 409 `flow_conflict` for another definition."""
        body = self.post("flows/", json=flow.to_json())
        published = parse_response(partial(Flow.from_json, client=self), body, "flows/")
        _adopt(flow, published)
        flow.client = self
        return flow

    def get_flow(self, flow_id: int) -> Flow:
        """A flow with its parameters and its components, each a full `Flow` (one request per
        distinct flow in the tree)."""
        return self._flow_tree(flow_id, {})

    def _flow_tree(self, flow_id: int, seen: dict[int, Flow]) -> Flow:
        if flow_id in seen:
            return seen[flow_id]
        path = _flow_path(flow_id)
        flow = parse_response(partial(Flow.from_json, client=self), self.get(path), path)
        seen[flow_id] = flow
        for component in flow.components:
            if isinstance(component.flow, FlowRef):
                component.flow = self._flow_tree(component.flow.id, seen)
        return flow

    def list_flows(
        self,
        *,
        name: str | None = None,
        external_version: str | None = None,
        tag: str | None = None,
        uploader: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> pd.DataFrame:
        """Flows as a DataFrame, one row each (`LIST_COLUMNS`); every page unless `limit`.

        Filters: `name`, `external_version`, `tag`, `uploader` (username).
        """
        import pandas as pd  # lazily: see the module docstring

        given = {
            "name": name,
            "external_version": external_version,
            "tag": tag,
            "uploader": uploader,
        }
        params = {key: value for key, value in given.items() if value is not None}
        rows = [
            parse_response(_list_row, item, "flows/")
            for item in self.paginate("flows/", params=params, limit=limit, offset=offset)
        ]
        return pd.DataFrame(rows, columns=list(LIST_COLUMNS))

    def flow_exists(self, name: str, external_version: str) -> int | None:
        """The id of the flow with this name and external version, or None if there is none."""
        params = {"name": name, "external_version": external_version}
        try:
            body = self.get("flows/exists/", params=params)
        except NotFound as exc:
            if exc.code == "flow_not_found":
                return None
            raise
        found = body.get("id") if isinstance(body, dict) else None
        if not isinstance(found, int) or isinstance(found, bool):
            raise TunebenchError(
                "Expected {'id': ...} from /api/v1/flows/exists/.", code="invalid_response"
            )
        return found

    def get_configuration(self, configuration_id: int) -> Configuration:
        """A configuration: a flow and every one of its hyperparameter values."""
        path = f"configurations/{operator.index(configuration_id)}/"
        return parse_response(Configuration.from_json, self.get(path), path)


def _adopt(flow: Flow, published: Flow) -> None:
    """Copy the server's identity of a published flow onto the local one, components included."""
    flow.id, flow.version, flow.url = published.id, published.version, published.url
    flow.uploader, flow.created_at = published.uploader, published.created_at
    by_identifier = {component.identifier: component.flow for component in published.components}
    for component in flow.components:
        ref = by_identifier.get(component.identifier)
        if isinstance(component.flow, Flow) and ref is not None:
            component.flow.id, component.flow.version = ref.id, ref.version
