"""Writes for flows and configurations.

A flow description arrives as a nested mapping (the API's JSON, or what the client's
``flow_from_sklearn`` builds): parameters with their types and defaults, and components,
each itself a flow. ``create_flow`` stores the whole tree at once, reusing any sub-flow
that already exists by (name, external_version); the same description sent again is the
same flow, and one that differs from the stored flow of that name and external version is
refused rather than silently merged.

Configurations are complete, canonical parameter values: keys are the flow's parameter
names, and ``<identifier>__<name>`` for a component's (scikit-learn's ``get_params``
convention), at any depth. Missing values take the declared defaults; values of
parameters declared ``int`` or ``float`` are normalised (``1`` and ``1.0`` are one float
value), while an undeclared (``any``) parameter keeps the distinction, because
scikit-learn itself gives ``max_features=1`` and ``max_features=1.0`` different meanings.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Max

from accounts.models import User
from flows.exceptions import FlowConflict, InvalidConfiguration, InvalidFlow, InvalidParameters
from flows.models import Configuration, Flow, FlowComponent, FlowParameter, FlowTag

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")  # a parameter: a Python identifier
# A component: a step name as scikit-learn allows it (make_pipeline gives "standardscaler-1").
STEP = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
MAX_DEPTH = 10  # components within components
MAX_PARAMETERS = 500
MAX_COMPONENTS = 100
MAX_DECLARED = 20_000  # parameters of a whole tree, as configuration keys
MAX_NODES = 200  # flows in one description, the components at every depth included
MAX_VALUE_DEPTH = 8  # nesting of a JSON value
MAX_CANONICAL_BYTES = 1 << 20
MAX_TAGS = 50
DATA_TYPES = frozenset(FlowParameter.DataType.values)
SEPARATOR = "__"
MAX_INT = 2**63
# Names of the server's executable flows (one per registry estimator and library version).
RESERVED_PREFIX = "tunebench."


# -- JSON values -------------------------------------------------------------------------


def unique_tags(tags) -> list[str]:
    """Tags stripped, without blanks, one per spelling that differs only in case (the first
    one kept), so SQLite and MySQL's case-insensitive collation store the same set."""
    kept: dict[str, str] = {}
    for tag in tags:
        tag = tag.strip()
        if tag:
            kept.setdefault(tag.casefold(), tag)
    return sorted(kept.values())


def canonical_json(value: Any) -> str:
    """The one text of a JSON value: sorted keys, no spaces, shortest float repr."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def check_json_value(value: Any, *, field: str, exc: type = InvalidParameters) -> None:
    """Refuse what JSON cannot carry exactly: NaN and infinities, deep nesting, odd keys."""

    def walk(item: Any, depth: int, path: str) -> None:
        if depth > MAX_VALUE_DEPTH:
            raise exc(
                f"{path} is nested more than {MAX_VALUE_DEPTH} levels deep.",
                code="too_deep",
                field=path,
            )
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise exc(
                    f"{path} holds a lone surrogate, which is not text.",
                    code="invalid_text",
                    field=path,
                ) from None
        if isinstance(item, int) and not isinstance(item, bool) and not -MAX_INT <= item < MAX_INT:
            raise exc(
                f"{path} is beyond the 64-bit integer range.", code="out_of_range", field=path
            )
        if isinstance(item, float) and not math.isfinite(item):
            raise exc(
                f"{path} is {item}; only finite numbers are allowed.", code="non_finite", field=path
            )
        if isinstance(item, list | tuple):
            for index, child in enumerate(item):
                walk(child, depth + 1, f"{path}.{index}")
        elif isinstance(item, Mapping):
            for key, child in item.items():
                if not isinstance(key, str):
                    raise exc(f"{path} has a key that is not text.", code="bad_type", field=path)
                walk(key, depth + 1, f"{path}.<key>")
                walk(child, depth + 1, f"{path}.{key}")
        elif not (item is None or isinstance(item, bool | int | float | str)):
            raise exc(f"{path} is not a JSON value.", code="bad_type", field=path)

    walk(value, 0, field)


# -- flows -------------------------------------------------------------------------------


def _text(spec: Mapping, key: str, *, path: str, required: bool, limit: int) -> str:
    value = spec.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidFlow(f"{key} must be text.", field=f"{path}{key}")
    check_json_value(value, field=f"{path}{key}", exc=InvalidFlow)  # no lone surrogates
    value = value.strip() if limit <= 255 else value
    if required and not value:
        raise InvalidFlow(f"{key} is required.", code="required", field=f"{path}{key}")
    if len(value) > limit:
        raise InvalidFlow(f"{key} is longer than {limit} characters.", field=f"{path}{key}")
    return value


def _identifier(value: Any, *, what: str, field: str, pattern: re.Pattern = NAME) -> str:
    if not isinstance(value, str) or not pattern.match(value) or SEPARATOR in value:
        allowed = (
            "letters, digits and single underscores, not starting with a digit"
            if pattern is NAME
            else "letters, digits, '.', '-' and single underscores"
        )
        raise InvalidFlow(
            f"{what} {value!r} must be {allowed}, without '{SEPARATOR}'.",
            code="invalid_name",
            field=field,
        )
    if len(value) > 255:
        raise InvalidFlow(f"{what} is longer than 255 characters.", field=field)
    return value


def _clean_flow(
    spec: Any, *, path: str = "", depth: int = 0, nodes: list[int] | None = None
) -> dict[str, Any]:
    """Check a flow description and return it normalised (components cleaned recursively).

    ``nodes`` counts the flows of the whole description: a tree that reuses one sub-flow a
    hundred times, each with a hundred components, is refused before any query is made.
    """
    nodes = nodes if nodes is not None else [0]
    nodes[0] += 1
    if nodes[0] > MAX_NODES:
        raise InvalidFlow(
            f"A flow description holds at most {MAX_NODES} flows (components included).",
            code="too_many_components",
            field=path.rstrip(".") or "components",
        )
    if depth > MAX_DEPTH:
        raise InvalidFlow(
            f"Components are nested more than {MAX_DEPTH} levels deep.",
            code="too_deep",
            field=path.rstrip(".") or "components",
        )
    if not isinstance(spec, Mapping):
        raise InvalidFlow("A flow must be an object.", field=path.rstrip(".") or "flow")
    known = {
        "name",
        "external_version",
        "description",
        "language",
        "dependencies",
        "class_name",
        "parameters",
        "components",
        "tags",
    }
    unknown = sorted(set(spec) - known)
    if unknown:
        raise InvalidFlow(
            f"Unknown field {unknown[0]!r}.", code="unknown_field", field=f"{path}{unknown[0]}"
        )
    clean: dict[str, Any] = {
        "name": _text(spec, "name", path=path, required=True, limit=255),
        "external_version": _text(spec, "external_version", path=path, required=True, limit=255),
        "class_name": _text(spec, "class_name", path=path, required=False, limit=255),
        "description": _text(spec, "description", path=path, required=False, limit=100_000),
        "language": _text(spec, "language", path=path, required=False, limit=64) or "Python",
        "dependencies": _text(spec, "dependencies", path=path, required=False, limit=10_000),
    }
    if clean["name"].casefold().startswith(RESERVED_PREFIX):
        raise InvalidFlow(
            f"Flow names starting with {RESERVED_PREFIX!r} are the server's executable flows; "
            "choose another name.",
            code="reserved_name",
            field=f"{path}name",
        )
    parameters = spec.get("parameters") or []
    if not isinstance(parameters, list):
        raise InvalidFlow("parameters must be a list.", field=f"{path}parameters")
    if len(parameters) > MAX_PARAMETERS:
        raise InvalidFlow(f"At most {MAX_PARAMETERS} parameters.", field=f"{path}parameters")
    clean_parameters = []
    seen: set[str] = set()
    for index, parameter in enumerate(parameters):
        where = f"{path}parameters.{index}"
        if not isinstance(parameter, Mapping):
            raise InvalidFlow("A parameter must be an object.", field=where)
        extra = sorted(set(parameter) - {"name", "data_type", "default", "description"})
        if extra:
            raise InvalidFlow(
                f"Unknown field {extra[0]!r}.", code="unknown_field", field=f"{where}.{extra[0]}"
            )
        name = _identifier(parameter.get("name"), what="Parameter name", field=f"{where}.name")
        if name.casefold() in seen:  # one name for MySQL's case-insensitive collation
            raise InvalidFlow(
                f"Parameter {name!r} is declared twice.",
                code="duplicate_parameter",
                field=f"{where}.name",
            )
        seen.add(name.casefold())
        data_type = parameter.get("data_type") or "any"
        if data_type not in DATA_TYPES:
            raise InvalidFlow(
                f"data_type must be one of {', '.join(sorted(DATA_TYPES))}.",
                code="invalid_data_type",
                field=f"{where}.data_type",
            )
        default = parameter.get("default")
        check_json_value(default, field=f"{where}.default", exc=InvalidFlow)
        if default is not None:
            default = _typed(default, data_type, field=f"{where}.default", exc=InvalidFlow)
        description = parameter.get("description") or ""
        if not isinstance(description, str) or len(description) > 10_000:
            raise InvalidFlow(
                "description must be text of at most 10,000 characters.",
                field=f"{where}.description",
            )
        clean_parameters.append(
            {"name": name, "data_type": data_type, "default": default, "description": description}
        )
    components = spec.get("components") or []
    if not isinstance(components, list):
        raise InvalidFlow("components must be a list.", field=f"{path}components")
    if len(components) > MAX_COMPONENTS:
        raise InvalidFlow(f"At most {MAX_COMPONENTS} components.", field=f"{path}components")
    clean_components = []
    identifiers: set[str] = set()
    for index, component in enumerate(components):
        where = f"{path}components.{index}"
        if not isinstance(component, Mapping) or set(component) != {"identifier", "flow"}:
            raise InvalidFlow("A component is an object with identifier and flow.", field=where)
        identifier = _identifier(
            component["identifier"],
            what="Component identifier",
            field=f"{where}.identifier",
            pattern=STEP,
        )
        if identifier.casefold() in identifiers or identifier.casefold() in seen:
            raise InvalidFlow(
                f"{identifier!r} names two components, or a component and a parameter.",
                code="duplicate_component",
                field=f"{where}.identifier",
            )
        identifiers.add(identifier.casefold())
        clean_components.append(
            {
                "identifier": identifier,
                "flow": _clean_flow(
                    component["flow"], path=f"{where}.flow.", depth=depth + 1, nodes=nodes
                ),
            }
        )
    clean["parameters"] = clean_parameters
    clean["components"] = clean_components
    tags = spec.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise InvalidFlow("tags must be a list of text.", field=f"{path}tags")
    check_json_value(tags, field=f"{path}tags", exc=InvalidFlow)
    tags = unique_tags(tags)
    if len(tags) > MAX_TAGS or any(len(t) > 64 for t in tags):
        raise InvalidFlow(f"At most {MAX_TAGS} tags of at most 64 characters.", field=f"{path}tags")
    clean["tags"] = tags
    return clean


def _signature(parameters: list[dict], components: list[tuple[str, int]]) -> str:
    """What makes two descriptions of one (name, external_version) the same flow."""
    return canonical_json(
        {
            "parameters": [[p["name"], p["data_type"], p["default"]] for p in parameters],
            "components": [list(c) for c in components],
        }
    )


def _stored_signature(flow: Flow) -> str:
    return _signature(
        [
            {"name": p.name, "data_type": p.data_type, "default": p.default}
            for p in flow.parameters.all()
        ],
        [(c.identifier, c.flow_id) for c in flow.components.all()],
    )


def create_flow(*, uploader: User, spec: Mapping[str, Any]) -> tuple[Flow, bool]:
    """The flow this description names, stored (with its components) if new.

    Returns ``(flow, created)``. Raises ``InvalidFlow`` naming the field, or
    ``FlowConflict`` when (name, external_version) exists with other parameters or
    components. Nothing is stored when it raises.
    """
    clean = _clean_flow(spec)
    # Two descriptions storing the same new sub-flows in another order can deadlock on
    # MySQL; the loser's whole transaction was rolled back, so it is safe to run it again
    # (unless a caller's transaction encloses ours, which must then see the error).
    retry = not transaction.get_connection().in_atomic_block
    for round_ in range(3):
        try:
            with transaction.atomic():
                return _store(uploader, clean, path="", stored={})
        except OperationalError as exc:
            if not (retry and round_ < 2 and _is_lock_conflict(exc)):
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _is_lock_conflict(exc: OperationalError) -> bool:
    """MySQL's deadlock (1213) and lock wait timeout (1205)."""
    return bool(exc.args) and exc.args[0] in (1205, 1213)


def _store(
    uploader: User, clean: dict[str, Any], *, path: str, stored: dict[str, tuple[Flow, bool]]
) -> tuple[Flow, bool]:
    # One description may name the same sub-flow many times: store and check it once.
    key = canonical_json(clean)
    if key not in stored:
        stored[key] = _store_one(uploader, clean, path=path, stored=stored)
    return stored[key]


def _store_one(
    uploader: User, clean: dict[str, Any], *, path: str, stored: dict[str, tuple[Flow, bool]]
) -> tuple[Flow, bool]:
    components = [
        (
            c["identifier"],
            _store(uploader, c["flow"], path=f"{path}components.{i}.flow.", stored=stored)[0].pk,
        )
        for i, c in enumerate(clean["components"])
    ]
    signature = _signature(clean["parameters"], components)
    existing = _existing(clean)
    if existing is not None:
        if _stored_signature(existing) != signature:
            raise FlowConflict(
                f"Flow {existing.pk} ({existing.name}, {existing.external_version}) exists with "
                "other parameters or components; give the new code another external_version.",
                field=f"{path}external_version",
            )
        return existing, False
    for _ in range(5):
        try:
            with transaction.atomic():
                latest = Flow.objects.filter(name=clean["name"]).aggregate(v=Max("version"))["v"]
                flow = Flow.objects.create(
                    name=clean["name"],
                    version=(latest or 0) + 1,
                    external_version=clean["external_version"],
                    class_name=clean["class_name"],
                    description=clean["description"],
                    language=clean["language"],
                    dependencies=clean["dependencies"],
                    uploader=uploader,
                )
        except IntegrityError:
            existing = _existing(clean)
            if existing is not None:  # the same flow, stored concurrently
                if _stored_signature(existing) != signature:
                    raise FlowConflict(field=f"{path}external_version") from None
                return existing, False
            continue  # another external version took our version number: number again
        break
    else:  # pragma: no cover - five concurrent new versions of one name
        raise FlowConflict("Too many concurrent uploads of this flow name; try again.")
    FlowParameter.objects.bulk_create(
        [FlowParameter(flow=flow, index=i, **p) for i, p in enumerate(clean["parameters"])]
    )
    FlowComponent.objects.bulk_create(
        [
            FlowComponent(parent=flow, index=i, identifier=identifier, flow_id=flow_id)
            for i, (identifier, flow_id) in enumerate(components)
        ]
    )
    FlowTag.objects.bulk_create(
        [FlowTag(flow=flow, tag=t) for t in clean["tags"]],
        ignore_conflicts=True,  # tags equal under MySQL's collation but not casefold
    )
    return flow, True


def _existing(clean: Mapping[str, Any]) -> Flow | None:
    return (
        Flow.objects.filter(name=clean["name"], external_version=clean["external_version"])
        .prefetch_related("parameters", "components")
        .first()
    )


# -- configurations ----------------------------------------------------------------------


def _typed(value: Any, data_type: str, *, field: str, exc: type = InvalidParameters) -> Any:
    """The value as its declared type, or an error naming the field; None is always allowed."""
    if value is None or data_type == "any":
        return value
    ok = True
    if data_type == "int":
        if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
            value = int(value)
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif data_type == "float":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if ok:
            value = float(value)
    elif data_type == "bool":
        ok = isinstance(value, bool)
    elif data_type == "str":
        ok = isinstance(value, str)
    elif data_type == "list":
        ok = isinstance(value, list)
    elif data_type == "dict":
        ok = isinstance(value, Mapping)
    if not ok:
        raise exc(
            f"{field} must be {'an' if data_type == 'int' else 'a'} {data_type} (or null), "
            f"not {json.dumps(value)[:80]}.",
            code="bad_type",
            field=field,
        )
    return value


def declared_parameters(flow: Flow) -> dict[str, FlowParameter]:
    """Every parameter of the flow's tree by its configuration key, in declaration order."""
    declared: dict[str, FlowParameter] = {}
    # Each distinct flow of the tree is read once (two queries), however often it recurs.
    parameters: dict[int, list[FlowParameter]] = {}
    children: dict[int, list[tuple[str, int]]] = {}

    def walk(node_id: int, prefix: str, depth: int) -> None:
        if node_id not in parameters:
            parameters[node_id] = list(FlowParameter.objects.filter(flow_id=node_id))
            children[node_id] = list(
                FlowComponent.objects.filter(parent_id=node_id).values_list("identifier", "flow_id")
            )
        for parameter in parameters[node_id]:
            declared[prefix + parameter.name] = parameter
        if depth < MAX_DEPTH:
            for identifier, child_id in children[node_id]:
                walk(child_id, f"{prefix}{identifier}{SEPARATOR}", depth + 1)
        if len(declared) > MAX_DECLARED:
            raise InvalidParameters(
                f"Flow {flow.pk} declares more than {MAX_DECLARED} parameters in all.",
                code="too_large",
                field="parameters",
            )

    walk(flow.pk, "", 0)
    return declared


def canonical_parameters(flow: Flow, values: Mapping[str, Any] | None) -> dict[str, Any]:
    """The complete, typed parameter values of a configuration of this flow."""
    if values is None:
        values = {}
    if not isinstance(values, Mapping):
        raise InvalidParameters(
            "parameters must be an object.", code="bad_type", field="parameters"
        )
    if flow.estimator:
        # An executable flow's configurations are exactly what the registry validates:
        # the active parameters only, so an uploaded run and a server run of one
        # configuration share its row (and a re-execution builds what was described).
        return registry_parameters(flow.estimator, values)
    declared = declared_parameters(flow)
    unknown = [key for key in values if key not in declared]
    if unknown:
        shown = ", ".join(repr(k) for k in unknown[:5])
        raise InvalidParameters(
            f"Flow {flow.pk} ({flow.name}) declares no parameter {shown}.",
            code="unknown_parameter",
            field=f"parameters.{unknown[0]}",
        )
    complete: dict[str, Any] = {}
    for key, parameter in declared.items():
        field = f"parameters.{key}"
        if key in values:
            check_json_value(values[key], field=field)
            complete[key] = _typed(values[key], parameter.data_type, field=field)
        else:
            complete[key] = parameter.default
    if len(canonical_json(complete).encode()) > MAX_CANONICAL_BYTES:
        raise InvalidParameters(
            f"The parameter values are longer than {MAX_CANONICAL_BYTES:,} bytes of JSON.",
            code="too_large",
            field="parameters",
        )
    return complete


def configuration_hash(parameters: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(parameters).encode()).hexdigest()


def get_or_create_configuration(
    *, flow: Flow, parameters: Mapping[str, Any] | None, publish: bool = False
) -> tuple[Configuration, bool]:
    """The configuration of these values (defaults filled), created if new.

    ``publish=True`` (the configurations API) makes it public; a configuration made for a
    run stays visible only through that run (``flows.selectors.visible_configurations``).
    """
    complete = canonical_parameters(flow, parameters)
    digest = configuration_hash(complete)
    existing = Configuration.objects.filter(flow=flow, hash=digest).first()
    if existing is None:
        try:
            with transaction.atomic():
                return Configuration.objects.create(
                    flow=flow, parameters=complete, hash=digest, published=publish
                ), True
        except IntegrityError:  # created concurrently: it is that one
            existing = Configuration.objects.get(flow=flow, hash=digest)
    if publish and not existing.published:
        Configuration.objects.filter(pk=existing.pk).update(published=True)
        existing.published = True
    return existing, False


# -- executable flows --------------------------------------------------------------------


def registry_estimator(name: Any) -> dict[str, Any]:
    """The registry's description of an executable estimator (``list_estimators`` item).

    The server's test estimators (``runs.testing_estimators``) are there too when
    ``TUNEBENCH_TEST_ESTIMATORS`` is on. Raises ``InvalidConfiguration``
    (``estimator_not_allowed``) for any other name.
    """
    from django.conf import settings

    from tunebench import engine

    if settings.TUNEBENCH_TEST_ESTIMATORS:
        from runs.testing_estimators import TESTING_ESTIMATORS, describe_testing_estimators

        if name in TESTING_ESTIMATORS:
            return next(e for e in describe_testing_estimators() if e["name"] == name)
    try:
        return engine.get_estimator(name).to_dict()
    except engine.ParameterError as exc:
        raise InvalidConfiguration(exc.problems, total=exc.total) from None


def registry_parameters(estimator: str, values: Mapping[str, Any] | None) -> dict[str, Any]:
    """The canonical values of a configuration of a registry estimator (every active
    parameter, defaults filled), or ``InvalidConfiguration`` naming every problem."""
    from django.conf import settings

    from tunebench import engine

    try:
        if settings.TUNEBENCH_TEST_ESTIMATORS:
            from runs.testing_estimators import TESTING_ESTIMATORS, validate_testing_parameters

            if estimator in TESTING_ESTIMATORS:
                return validate_testing_parameters(estimator, values if values is not None else {})
        return engine.validate_parameters(estimator, values if values is not None else {})
    except engine.ParameterError as exc:
        raise InvalidConfiguration(exc.problems, total=exc.total) from None


def executable_flow(estimator: str) -> Flow:
    """The server's flow for a registry estimator under the installed scikit-learn, created
    on first use. Its name is ``tunebench.<estimator>``, its external version the
    scikit-learn version (a new version of scikit-learn is a new flow version, since the same
    configuration may predict differently), its parameters the estimator's space."""
    description = registry_estimator(estimator)
    name = estimator if estimator.startswith(RESERVED_PREFIX) else RESERVED_PREFIX + estimator
    external_version = f"sklearn=={description['sklearn_version']}"
    found = Flow.objects.filter(name=name, external_version=external_version).first()
    if found is not None:
        return found
    for _ in range(5):
        try:
            with transaction.atomic():
                latest = Flow.objects.filter(name=name).aggregate(v=Max("version"))["v"]
                flow = Flow.objects.create(
                    name=name,
                    version=(latest or 0) + 1,
                    external_version=external_version,
                    class_name=estimator,
                    estimator=estimator,
                    description=(
                        f"{description['class_name']} in Tunebench's standard pipeline "
                        "(numeric columns: median imputation and standardization; nominal "
                        "columns: most frequent imputation and one-hot encoding), executed by "
                        "the server's workers. Hyperparameter space: "
                        f"/api/v1/estimators/{estimator}/."
                    ),
                    language="Python",
                    dependencies=f"scikit-learn=={description['sklearn_version']}",
                    uploader=None,
                )
                FlowParameter.objects.bulk_create(
                    [
                        FlowParameter(
                            flow=flow,
                            index=index,
                            name=hp["name"],
                            data_type=_registry_data_type(hp),
                            default=hp["default"],
                            description=hp.get("description", "")[:10_000],
                        )
                        for index, hp in enumerate(description["hyperparameters"])
                    ]
                )
                FlowTag.objects.create(flow=flow, tag="executable")
                return flow
        except IntegrityError:
            found = Flow.objects.filter(name=name, external_version=external_version).first()
            if found is not None:  # created concurrently
                return found
    raise FlowConflict("Too many concurrent creations of this flow; try again.")  # pragma: no cover


def _registry_data_type(hp: Mapping[str, Any]) -> str:
    if hp.get("choices") or hp.get("nullable"):
        return FlowParameter.DataType.ANY  # a number or a named value ("sqrt"), or null
    return {"int": "int", "float": "float", "bool": "bool"}.get(hp["kind"], "any")
