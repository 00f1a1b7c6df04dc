"""The package's layers (docs/architecture.md): every import looks down, none goes round.

Every module of ``journey/`` is parsed with :mod:`ast`; all its imports of the package count,
those inside functions included, except imports under ``if TYPE_CHECKING:`` (they never run:
they name a type for an annotation). Three rules are checked on the resulting graph:

* no import cycle;
* a ``_private`` name is imported only from an internal module (file name starting with
  ``_``): a helper shared by several modules lives in one of those;
* each module has a layer in :data:`LAYERS` and imports only modules of its own or a lower
  layer.

Each rule is also run on a tiny synthetic package, to show that it fails when it should.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "journey"

#: The layers, lowest first (docs/architecture.md says what each one owns).
LAYER_NAMES = ("foundation", "read", "language", "figures", "analyses", "views", "report")

#: Module → layer. A module imports only modules of its own or a lower layer.
LAYERS: dict[str, str] = {
    # foundation: errors, the touchpoint catalogue, label tables, the session language,
    # engine expressions and helpers that know no log
    "errors": "foundation",
    "_catalogue": "foundation",
    "stages": "foundation",
    "_labels": "foundation",
    "_language": "foundation",
    "engine": "foundation",
    "_gaps": "foundation",
    "_simplify": "foundation",
    "_tables": "foundation",
    "_disclosure": "foundation",
    "_hospital": "foundation",
    "_result": "foundation",
    # read: files and tables in, privacy checks, the EventLog and its data-quality checks
    "_reading": "read",
    "_pipeline": "read",
    "_timeformat": "read",
    "_xes": "read",
    "formats": "read",
    "_scan": "read",
    "privacy": "read",
    "_quality": "read",
    "log": "read",
    "read": "read",
    "_spark": "read",
    # language: translation of names, headers and values; CJK fonts
    "i18n": "language",
    # figures: plotly figures drawn from the tables of the analyses
    "_plotting": "figures",
    "_metrics": "figures",
    "_figures_maps": "figures",
    "_figures_waits": "figures",
    "_figures_series": "figures",
    "_figures_experience": "figures",
    # analyses: each takes an EventLog or a table and returns tables and results that plot
    "_timeline": "analyses",
    "_timeseries": "analyses",
    "maps": "analyses",
    "waits": "analyses",
    "queues": "analyses",
    "experience": "analyses",
    "loyalty": "analyses",
    "visits": "analyses",
    "series": "analyses",
    "control_charts": "analyses",
    "impact": "analyses",
    "effects": "analyses",
    "compare": "analyses",
    "findings": "analyses",
    "simulate": "analyses",
    # views: interactive figures computed from a log (the explorer, the animated replay)
    "explorer": "views",
    "replay": "views",
    # report: the report and the command line; the package's lazy top-level names
    "report": "report",
    "cli": "report",
    "__init__": "report",
}


# ------------------------------------------------------------------------------ the graph
def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement of ``tree``, at any depth, except under ``if TYPE_CHECKING:``."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            for other in node.orelse:
                yield from _imports(ast.Module(body=[other], type_ignores=[]))
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        yield from _imports(node)


def module_imports(name: str, source: str, modules: set[str],
                   ) -> list[tuple[str, int, str | None]]:
    """``(imported module, line, imported name or None)`` for each import of the package.

    ``from journey.x import a`` gives ``("x", line, "a")``; ``from journey import x`` and
    ``import journey.x`` give ``("x", line, None)`` when ``x`` is a module, and
    ``from journey import a`` gives ``("__init__", line, "a")`` otherwise. Relative imports
    (``from .x import a``) count the same.
    """
    found: list[tuple[str, int, str | None]] = []
    for node in _imports(ast.parse(source, filename=f"{name}.py")):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "journey" and len(parts) > 1:
                    found.append((parts[1], node.lineno, None))
            continue
        parts = (node.module or "").split(".") if node.module else []
        if node.level == 0:
            if not parts or parts[0] != "journey":
                continue
            parts = parts[1:]
        if parts:
            found += [(parts[0], node.lineno, alias.name) for alias in node.names]
        else:  # from journey import x / from . import x
            found += [(alias.name, node.lineno, None) if alias.name in modules
                      else ("__init__", node.lineno, alias.name) for alias in node.names]
    return found


def import_graph(sources: Mapping[str, str]) -> dict[str, list[tuple[str, int, str | None]]]:
    """Module → its imports of the package (see :func:`module_imports`), self-imports left out."""
    modules = set(sources)
    return {name: [i for i in module_imports(name, text, modules) if i[0] != name]
            for name, text in sources.items()}


def find_cycle(graph: Mapping[str, list[tuple[str, int, str | None]]]) -> list[str] | None:
    """One import cycle as ``[a, b, ..., a]``, or None when there is none."""
    edges = {m: sorted({t for t, _, _ in imports}) for m, imports in graph.items()}
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for target in edges.get(module, []):
            if state.get(target) == 1:
                return path[path.index(target):] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[module] = 2
        return None

    for module in sorted(edges):
        if module not in state and (cycle := visit(module)):
            return cycle
    return None


def _internal(module: str) -> bool:
    """Whether ``module`` is internal: its file name starts with ``_`` (``__init__`` does not
    count)."""
    return module.startswith("_") and not module.startswith("__")


def private_imports(graph: Mapping[str, list[tuple[str, int, str | None]]]) -> list[str]:
    """``module:line`` of each ``_private`` name imported from a module that is not internal."""
    return [f"{module}.py:{line} imports {name} from journey.{target}"
            for module, imports in sorted(graph.items())
            for target, line, name in imports
            if name and name.startswith("_") and not _internal(target)]


def upward_imports(graph: Mapping[str, list[tuple[str, int, str | None]]],
                   layers: Mapping[str, str], order: tuple[str, ...] = LAYER_NAMES,
                   ) -> list[str]:
    """Each import of a module of a higher layer than the importer's, as ``module:line``."""
    rank = {layer: i for i, layer in enumerate(order)}
    return [f"{module}.py:{line} ({layers[module]}) imports journey.{target} ({layers[target]})"
            for module, imports in sorted(graph.items())
            for target, line, _ in imports
            if target in layers and rank[layers[target]] > rank[layers[module]]]


@pytest.fixture(scope="module")
def graph() -> dict[str, list[tuple[str, int, str | None]]]:
    return import_graph({p.stem: p.read_text(encoding="utf-8")
                         for p in sorted(PACKAGE.glob("*.py"))})


# ------------------------------------------------------------------------------ the package
def test_every_module_has_a_layer(graph):
    assert sorted(set(graph) - set(LAYERS)) == [], "give the new module a layer in LAYERS"
    assert sorted(set(LAYERS) - set(graph)) == [], "LAYERS names a module that is gone"
    assert set(LAYERS.values()) <= set(LAYER_NAMES)


def test_no_import_cycle(graph):
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_private_names_come_only_from_internal_modules(graph):
    found = private_imports(graph)
    assert not found, "move the helper into an internal module:\n" + "\n".join(found)


def test_imports_look_down(graph):
    found = upward_imports(graph, LAYERS)
    assert not found, "imports of a higher layer:\n" + "\n".join(found)


def test_the_graph_sees_imports_inside_functions(graph):
    # read_log(session=spark) imports journey._spark when it is called
    assert ("_spark", "_read_log_spark") in {(t, n) for t, _, n in graph["read"]}


# ------------------------------------------------------------------------------ the checks fail
_TINY = {
    "_shared": "def _helper():\n    pass\n",
    "low": "from journey._shared import _helper\n",
    "high": "from journey.low import thing\n",
    "typed": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
             "    from journey.high import Thing\n",
}


def test_a_cycle_through_a_function_level_import_is_found():
    sources = {**_TINY, "low": "def f():\n    from journey.high import g\n"}
    assert find_cycle(import_graph(sources)) == ["high", "low", "high"]
    assert find_cycle(import_graph(_TINY)) is None


def test_a_relative_import_counts():
    sources = {**_TINY, "low": "from .high import g\n"}
    assert find_cycle(import_graph(sources)) == ["high", "low", "high"]


def test_a_type_checking_import_is_no_edge():
    assert import_graph(_TINY)["typed"] == []


def test_a_private_name_from_a_public_module_is_reported():
    sources = {**_TINY, "high": "import os\n\n\ndef f():\n    from journey.low import _x\n"}
    assert private_imports(import_graph(sources)) == [
        "high.py:5 imports _x from journey.low"]
    assert private_imports(import_graph(_TINY)) == []
    from_package = {**_TINY, "high": "from journey import _version\n"}
    assert private_imports(import_graph(from_package)) == [
        "high.py:1 imports _version from journey.__init__"]


def test_an_import_of_a_higher_layer_is_reported():
    layers = {"_shared": "foundation", "low": "read", "high": "analyses", "typed": "read"}
    assert upward_imports(import_graph(_TINY), layers) == []
    sources = {**_TINY, "low": "from journey import high\n"}
    assert upward_imports(import_graph(sources), layers) == [
        "low.py:1 (read) imports journey.high (analyses)"]


# ------------------------------------------------------------------------------ named steps
#: The longest a function's body may be, docstring excluded (orchestration is cut into steps
#: a reader can name).
MAX_BODY_LINES = 80

#: ``module.function`` → why it stays longer than :data:`MAX_BODY_LINES`. A long function
#: that is not here fails :func:`test_no_function_is_longer_than_its_steps`; one here that
#: got short fails too, so the list stays as short as the package allows.
LONG_FUNCTIONS: dict[str, str] = {
}


def body_lines(function: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines from the first statement after the docstring to the function's last line."""
    body = function.body
    first = body[0]
    if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)):
        if len(body) == 1:
            return 0
        first = body[1]
    return function.end_lineno - first.lineno + 1


def long_functions(sources: Mapping[str, str], limit: int = MAX_BODY_LINES) -> dict[str, int]:
    """``module.function`` → body lines, for each function (nested ones too) over ``limit``."""
    found: dict[str, int] = {}
    for module, source in sources.items():
        for node in ast.walk(ast.parse(source, filename=f"{module}.py")):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = body_lines(node)
                if lines > limit:
                    found[f"{module}.{node.name}"] = lines
    return found


def test_no_function_is_longer_than_its_steps():
    found = long_functions({p.stem: p.read_text(encoding="utf-8")
                            for p in sorted(PACKAGE.glob("*.py"))})
    unlisted = [f"{name}: {lines} lines" for name, lines in sorted(found.items())
                if name not in LONG_FUNCTIONS]
    assert not unlisted, ("cut these into named steps, or give the reason in LONG_FUNCTIONS "
                          "and the docstring:\n" + "\n".join(unlisted))
    stale = sorted(set(LONG_FUNCTIONS) - set(found))
    assert not stale, "no longer long, take them out of LONG_FUNCTIONS: " + ", ".join(stale)
    assert all(reason.strip() for reason in LONG_FUNCTIONS.values())


def test_a_long_function_is_found():
    short = "def f():\n    \"\"\"Doc.\n\n    More.\n    \"\"\"\n    return 1\n"
    long = "def g():\n    \"\"\"Doc.\"\"\"\n" + "    x = 1\n" * 5
    assert long_functions({"m": short + long}, limit=4) == {"m.g": 5}
    assert long_functions({"m": short + long}, limit=5) == {}


# ------------------------------------------------------------------------------ figures, texts
#: Libraries that draw. Only the figures layer, the views, the language layer (CJK fonts for
#: matplotlib) and the report import them: an analysis returns results that the figures draw.
PLOTTING = ("plotly", "matplotlib", "seaborn")
DRAWING_LAYERS = ("language", "figures", "views", "report")

#: Layers whose modules take every text from the catalogue (journey._labels) and never branch
#: on the language.
TEXT_LAYERS = ("figures", "analyses", "views")


def plotting_imports(sources: Mapping[str, str], layers: Mapping[str, str]) -> list[str]:
    """``module:line`` of each import of a plotting library outside the drawing layers."""
    found = []
    for module, source in sorted(sources.items()):
        if layers.get(module) in DRAWING_LAYERS:
            continue
        for node in _imports(ast.parse(source)):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""])
            found += [f"{module}.py:{node.lineno} imports {name}" for name in names
                      if name.split(".")[0] in PLOTTING]
    return found


def _is_lang(node: ast.AST) -> bool:
    return (isinstance(node, ast.Name) and node.id == "lang") or (
        isinstance(node, ast.Attribute) and node.attr == "lang")


def _is_text(node: ast.AST) -> bool:
    """A string constant, or a tuple, list or set of them (``"zh"``, ``("en", "zh")``)."""
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return bool(node.elts) and all(map(_is_text, node.elts))
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def language_branches(sources: Mapping[str, str], layers: Mapping[str, str]) -> list[str]:
    """``module:line`` of each comparison of the language with a value (``lang == "zh"``,
    ``lang != "en"``, ``lang in (...)``) in the text layers."""
    found = []
    for module, source in sorted(sources.items()):
        if layers.get(module) not in TEXT_LAYERS:
            continue
        for node in ast.walk(ast.parse(source)):
            sides = (node.left, *node.comparators) if isinstance(node, ast.Compare) else ()
            if any(map(_is_lang, sides)) and any(map(_is_text, sides)):
                found.append(f"{module}.py:{node.lineno}")
    return found


def _sources() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(PACKAGE.glob("*.py"))}


def test_analyses_draw_nothing():
    found = plotting_imports(_sources(), LAYERS)
    assert not found, ("draw in the figures layer, from the result:\n" + "\n".join(found))


def test_no_module_branches_on_the_language():
    found = language_branches(_sources(), LAYERS)
    assert not found, ("put the difference in the catalogue (journey/_labels.py):\n"
                       + "\n".join(found))


def test_a_plotting_import_and_a_language_branch_are_found():
    layers = {"low": "analyses", "fig": "figures"}
    sources = {"low": "def f(lang):\n    import plotly.express as px\n"
                      "    return 1 if lang == 'zh' else 2\n",
               "fig": "import plotly.graph_objects as go\n"}
    assert plotting_imports(sources, layers) == ["low.py:2 imports plotly.express"]
    assert language_branches(sources, layers) == ["low.py:3"]
    assert language_branches({"low": "def f(lang):\n    return T[lang]\n"}, layers) == []
    assert language_branches({"low": "def f(lang):\n    return lang is None\n"}, layers) == []
    assert language_branches({"low": "def f(lang):\n    return lang in ('en', 'zh')\n"},
                             layers) == ["low.py:2"]
