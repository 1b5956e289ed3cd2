"""The layout a newcomer can trust: layers, no cycles, pinned public names.

Reads every module's imports (module-level and inside functions) from its source
and fails on an import cycle, an engine import outside the standard library, numpy,
pandas and pydantic, a headless module importing ``xlalloc.excel``, or a reader
importing a writer. Pins ``xlalloc.__all__`` and each engine module's ``__all__``.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "xlalloc"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PKG.rglob("*.py"))}


def _resolve(mod: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = mod.split(".") if path.name == "__init__.py" else mod.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(mod: str) -> set[str]:
    """Every module ``mod`` imports (absolute names), wherever the import statement is."""
    path = MODULES[mod]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(mod, path, node)
            subs = {f"{target}.{a.name}" for a in node.names} & set(MODULES)
            # `from . import demo` imports the module demo, not the package's face.
            out.update(subs if len(subs) == len(node.names) else subs | {target})
    return out


def internal(names: set[str]) -> set[str]:
    return {n for n in names if n in MODULES}


GRAPH = {m: internal(imports_of(m)) - {m} for m in MODULES}


def test_the_graph_is_read():
    # A sanity check that the parser sees real edges, so the tests below can fail.
    assert "xlalloc.engine.rounding" in GRAPH["xlalloc.engine.capitation"]
    assert "xlalloc.excel.macros" in GRAPH["xlalloc"]
    assert "xlalloc.readers.model" in GRAPH["xlalloc.actions"]


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        state[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == 1:
                return stack[stack.index(m) :] + [m]
            if m not in state and (c := visit(m)):
                return c
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if n not in state and (c := visit(n)):
            return c
    return None


def test_find_cycle_finds_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycles():
    assert find_cycle(GRAPH) is None, " -> ".join(find_cycle(GRAPH) or [])


ENGINE_ALLOWED = {"numpy", "pandas", "pydantic"}


def test_engine_imports_only_the_standard_library_numpy_pandas_pydantic():
    for mod in MODULES:
        if not mod.startswith("xlalloc.engine"):
            continue
        for name in imports_of(mod):
            top = name.split(".")[0]
            ok = (
                name.startswith("xlalloc.engine")
                or top in ENGINE_ALLOWED
                or top in sys.stdlib_module_names
                or name == "__future__"
            )
            assert ok, f"{mod} imports {name}"


def test_engine_speaks_no_command_line_vocabulary():
    for mod, path in MODULES.items():
        if mod.startswith("xlalloc.engine"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    assert not node.value.startswith("--"), (mod, node.value)


#: Modules that run another program, and the one constant holding its options.
OTHER_PROGRAMS = {"xlalloc.workbook.pdf": "SOFFICE_ARGS"}


def test_outside_cli_a_flag_is_only_ever_part_of_a_whole_command_line():
    """Messages name options (``option()``); a flag appears only in a quoted command line.

    Outside ``cli/`` a ``--flag`` may appear only after ``xlalloc COMMAND`` in the same
    text (the Cover's "xlalloc run MODEL.xlsx -o RESULTS.xlsx", a docstring's ``xlalloc
    run --activity``), and it must be one of that command's flags, so how-to text cannot
    drift from the command line.
    """
    import re

    from xlalloc.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    known = {name: set(p._option_string_actions) for name, p in sub.choices.items()}
    found = []
    for mod, path in MODULES.items():
        if mod.startswith("xlalloc.cli"):
            continue
        tree = ast.parse(path.read_text())
        # Another program's options (LibreOffice's), each module's one named tuple of them.
        other = {
            id(c)
            for node in tree.body
            if isinstance(node, ast.Assign)
            and any(getattr(t, "id", "") == OTHER_PROGRAMS.get(mod) for t in node.targets)
            for c in ast.walk(node.value)
        }
        for node in ast.walk(tree):
            if id(node) in other:
                continue
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                continue
            text = node.value
            for m in re.finditer(r"(?<![\w-])--[a-z][a-z-]*", text):
                commands = re.findall(r"xlalloc ([a-z][a-z0-9-]*)", text[: m.start()])
                command = commands[-1] if commands else None
                if command not in known or m.group() not in known[command]:
                    found.append((mod, command, m.group()))
    assert found == []


#: The only modules outside ``xlalloc.excel`` that may reach it: the ribbon's entry point
#: (``xlalloc.main``) and the command line's ``addin build``.
#: The only ways into xlalloc.excel: the ribbon (xlalloc.main) and `xlalloc addin`/`lite`.
EXCEL_GATES = {"xlalloc", "xlalloc.cli.addin", "xlalloc.cli.lite"}


def test_excel_is_a_leaf():
    for mod, deps in GRAPH.items():
        if mod.startswith("xlalloc.excel") or mod in EXCEL_GATES:
            continue
        bad = sorted(d for d in deps if d.startswith("xlalloc.excel"))
        assert not bad, f"{mod} imports {bad}"
        assert "xlwings" not in {n.split(".")[0] for n in imports_of(mod)}, mod


def test_headless_use_cases_never_load_excel_or_xlwings():
    # Import the use cases in a clean interpreter and look at what got loaded.
    import subprocess

    code = (
        "import sys, xlalloc, xlalloc.api, xlalloc.actions, xlalloc.cli, xlalloc.usecases.pack;"
        "print(sorted(m for m in sys.modules if m.startswith(('xlalloc.excel', 'xlwings'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]"


LAYERS = {
    # layer: packages it must not import
    "xlalloc.readers": (
        "xlalloc.workbook",
        "xlalloc.api",
        "xlalloc.actions",
        "xlalloc.cli",
        "xlalloc.excel",
        "xlalloc.usecases",
    ),
    "xlalloc.model": (
        "xlalloc.workbook",
        "xlalloc.api",
        "xlalloc.actions",
        "xlalloc.cli",
        "xlalloc.excel",
        "xlalloc.usecases",
    ),
    "xlalloc.workbook": (
        "xlalloc.api",
        "xlalloc.actions",
        "xlalloc.cli",
        "xlalloc.excel",
        "xlalloc.usecases",
    ),
}


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_layers_point_inwards(layer):
    for mod, deps in GRAPH.items():
        if mod == layer or mod.startswith(layer + "."):
            bad = sorted(d for d in deps if d.startswith(LAYERS[layer]))
            assert not bad, f"{mod} imports {bad}"


def test_no_module_imports_the_package_face():
    # __version__ lives in xlalloc._version; adapters never import `xlalloc` itself.
    assert [m for m, deps in GRAPH.items() if "xlalloc" in deps] == []


PINNED_ALL = {
    "xlalloc": [
        "__version__",
        "activity",
        "compare",
        "converge",
        "demo_ledger",
        "drivers",
        "equity",
        "footprint",
        "levelling_up",
        "main",
        "new",
        "pack_template",
        "packs",
        "rebase",
        "run",
        "selftest",
        "table_y1",
        "targets",
        "validate",
    ],
    "xlalloc.engine.changes": [
        "CHANGE_COLUMNS",
        "convergence_changes",
        "explain_change",
        "round_to_total",
    ],
    "xlalloc.engine.apportionment": [
        "Apportionment",
        "ApportionmentMethod",
        "ApportionmentSettings",
        "Context",
        "DEFAULT_PROGRAMMES",
        "METHODS",
        "REGISTRY",
        "apportion",
        "default_chain",
        "reads_data",
        "register",
        "rows_text",
    ],
    "xlalloc.engine.apportionment.core": [
        "Apportionment",
        "DEFAULT_PROGRAMMES",
        "apportion",
        "default_chain",
        "reads_data",
        "rows_text",
    ],
    "xlalloc.engine.apportionment.settings": ["ApportionmentSettings"],
    "xlalloc.engine.apportionment.methods": [
        "REGISTRY",
        "ApportionmentMethod",
        "Context",
        "Shares",
        "coverage",
        "register",
    ],
    "xlalloc.engine.apportionment.methods.base": [
        "ApportionmentMethod",
        "AttributesToPractices",
        "Context",
        "PracticeWeights",
        "REGISTRY",
        "Shares",
        "coverage",
        "register",
    ],
    "xlalloc.engine.apportionment.methods.practice_data": ["PracticeData"],
    "xlalloc.engine.apportionment.methods.scale": ["Scale"],
    "xlalloc.engine.apportionment.methods.place_split": ["PlaceSplit", "split_to_cells"],
    "xlalloc.engine.apportionment.methods.capitation": ["Capitation"],
    "xlalloc.engine.apportionment.methods.follow": ["Follow"],
    "xlalloc.engine.capitation": [
        "COMPONENTS",
        "Component",
        "LEVELS",
        "PlaceMap",
        "add_targets",
        "check_components",
        "cost_per_1000",
        "define_places",
        "derive_footprint",
        "england_ratios",
        "footprint_change",
        "need_index",
        "need_indices",
        "round_nhse",
        "target_amounts",
        "target_shares",
    ],
    "xlalloc.engine.convergence": [
        "ConvergenceMethod",
        "ConvergencePolicy",
        "EXPLAIN",
        "METHODS",
        "Method",
        "MultiYearResult",
        "OUTPUT_COLUMNS",
        "RULES",
        "YearResult",
        "converge",
        "converge_years",
        "dft",
        "floors",
        "hcdd_partition",
        "policy_from",
        "register",
        "solve_batch",
    ],
    "xlalloc.engine.convergence.core": [
        "MultiYearResult",
        "OUTPUT_COLUMNS",
        "RULES",
        "YearResult",
        "converge",
        "converge_years",
        "hcdd_partition",
    ],
    "xlalloc.engine.convergence.explain": ["EXPLAIN", "Explanation", "Why"],
    "xlalloc.engine.convergence.policy": [
        "METHOD_NAMES",
        "ConvergencePolicy",
        "Method",
        "floors",
        "policy_from",
    ],
    "xlalloc.engine.convergence.solver": ["dft", "solve_batch"],
    "xlalloc.engine.convergence.methods": [
        "METHODS",
        "Allocation",
        "ConvergenceMethod",
        "Year",
        "register",
    ],
    "xlalloc.engine.convergence.methods.base": [
        "Allocation",
        "ConvergenceMethod",
        "METHODS",
        "Year",
        "register",
    ],
    "xlalloc.engine.convergence.methods.clamped": ["Clamped"],
    "xlalloc.engine.convergence.methods.level": ["Level"],
    "xlalloc.engine.convergence.methods.pace": ["Pace"],
    "xlalloc.engine.convergence.methods.topslice": ["Topslice"],
    "xlalloc.engine.equity": [
        "EquityResult",
        "EquitySettings",
        "MEASURES",
        "UNIT_COLUMNS",
        "concentration_index",
        "equity",
        "vertical_slope",
    ],
    "xlalloc.engine.rebase": ["RebaseResult", "RebaseSettings", "SOURCE", "rebase"],
    "xlalloc.engine.levelling_up": [
        "LevellingUpResult",
        "LevellingUpSettings",
        "RULES",
        "levelling_up",
        "solve_level",
    ],
    "xlalloc.engine.uncertainty": [
        "ABOVE",
        "BELOW",
        "DEFAULT_U",
        "NOT_DISTINGUISHABLE",
        "ShareIntervals",
        "UncertaintySettings",
        "distance_intervals",
        "practice_sigmas",
        "share_intervals",
        "share_intervals_by",
        "target_intervals",
        "verdicts",
    ],
    "xlalloc.engine.errors": [
        "InputError",
        "Problem",
        "Problems",
        "checked",
        "did_you_mean",
        "listed",
        "nearest",
        "option",
        "percent_hint",
        "quoted",
        "renamed",
        "rows_text",
    ],
    "xlalloc.engine.frames": [
        "SOURCE_ROW",
        "contract",
        "is_blank",
        "row_numbers",
        "source_rows",
        "text_codes",
    ],
    "xlalloc.engine.monitoring": [
        "Actuals",
        "CostCentreMap",
        "DEFAULT_THRESHOLD",
        "Ledger",
        "MONTHS",
        "MONTH_NAMES",
        "PackSettings",
        "Reconciliation",
        "actuals_at",
        "budget_vs_actual",
        "check_phasing",
        "code_text",
        "cost_centre_map",
        "exact_pence",
        "pence_sum",
        "phase_budgets",
        "read_ledger",
        "reconcile",
        "round_pence",
        "twelfths",
    ],
    "xlalloc.engine.bridge": ["BRIDGE_COLUMNS", "WHY_THEY_DIFFER", "Bridge", "place_bridge"],
    "xlalloc.engine.controlled": ["controlled_round"],
    "xlalloc.engine.drivers": [
        "DRIVER_COLUMNS",
        "MIN_ACTIVITY_SOURCE",
        "DriversResult",
        "DriversSettings",
        "driver_sentence",
        "drivers",
        "drivers_of",
        "drivers_units",
    ],
    "xlalloc.engine.registry": ["Choices", "import_modules"],
    "xlalloc.engine.rounding": [
        "MAX_AMOUNT",
        "MIN_UNIT",
        "largest_remainder",
        "round_half_up",
        "units_of",
    ],
    "xlalloc.engine.year_on_year": ["CHANGES", "CHANGE_COLUMNS", "practice_changes"],
}


@pytest.mark.parametrize("mod", sorted(PINNED_ALL))
def test_public_names_are_pinned(mod):
    m = importlib.import_module(mod)
    assert sorted(m.__all__) == sorted(PINNED_ALL[mod])
    for name in m.__all__:
        getattr(m, name)  # every pinned name exists


def test_every_engine_module_pins_its_names():
    engine = {m for m in MODULES if m.startswith("xlalloc.engine.")}
    assert engine == {m for m in PINNED_ALL if m.startswith("xlalloc.engine.")}


def test_no_type_ignore_in_the_package():
    for mod, path in MODULES.items():
        assert "type: ignore" not in path.read_text(), mod


#: Modules with logic whose tests live in another module's tests, and why.
TESTED_ELSEWHERE = {
    "xlalloc.demo": (
        "tests/engine/test_capitation.py",
        "test_demo_icb_is_realistic_and_deterministic",
    ),
    "xlalloc.excel.books": (
        "tests/excel/test_macros.py",
        "test_macros_write_identical_sheets_headless_and_in_excel",
    ),
    "xlalloc.model.schema": (
        "tests/readers/test_model.py",
        "test_broken_workbooks_give_documented_messages",
    ),
}


def mirrored_test(mod: str) -> Path:
    """``xlalloc.a.b`` -> ``tests/a/test_b.py``; a package ``xlalloc.a`` -> ``tests/a/test_a.py``."""
    parts = mod.split(".")[1:]
    path = MODULES[mod]
    folder = parts if path.name == "__init__.py" else parts[:-1]
    return ROOT.joinpath("tests", *folder, f"test_{parts[-1]}.py")


def has_logic(mod: str) -> bool:
    tree = ast.parse(MODULES[mod].read_text())
    return any(isinstance(n, ast.FunctionDef) for n in ast.walk(tree))


#: Command modules (cli/<command>.py): tested through the command line, by a test that
#: runs ``main(["<command>", ...])``.
COMMAND_MODULES = {
    f"xlalloc.cli.{p.stem}"
    for p in (PKG / "cli").glob("*.py")
    if p.stem not in ("__init__", "__main__", "options", "progress", "requests", "docs")
}


def runs_command(command: str) -> bool:
    """Whether a test module that calls ``main`` holds an argument list starting with it."""
    for path in (ROOT / "tests").rglob("test_*.py"):
        tree = ast.parse(path.read_text())
        calls_main = any(
            isinstance(n, ast.Call) and getattr(n.func, "id", "") == "main" for n in ast.walk(tree)
        )
        lists = (n for n in ast.walk(tree) if isinstance(n, ast.List) and n.elts)
        if calls_main and any(
            isinstance(n.elts[0], ast.Constant) and n.elts[0].value == command for n in lists
        ):
            return True
    return False


def test_every_command_module_is_run_by_a_test():
    from xlalloc.cli import COMMANDS
    from xlalloc.usecases import use_cases

    # A use case's own module in cli/ is for flags its request's rule cannot give.
    own = {u.module for u in use_cases().values() if (PKG / "cli" / f"{u.module}.py").exists()}
    assert {f"xlalloc.cli.{m}" for m in {m for _, m in COMMANDS.values()} | own} == COMMAND_MODULES
    assert [n for n in (*COMMANDS, *use_cases()) if not runs_command(n)] == []


def test_every_module_with_logic_has_its_test_module():
    missing = []
    for mod in MODULES:
        if mod in ("xlalloc", "xlalloc.cli.__main__", *COMMAND_MODULES) or not has_logic(mod):
            continue
        if mod in TESTED_ELSEWHERE:
            where, test = TESTED_ELSEWHERE[mod]
            assert f"def {test}(" in (ROOT / where).read_text(), (mod, where, test)
            continue
        if not mirrored_test(mod).exists():
            missing.append(f"{mod} -> {mirrored_test(mod).relative_to(ROOT)}")
    assert missing == []


def test_readme_layout_matches_the_tree():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("### Layout", 1)[1].split("```text", 1)[1].split("```", 1)[0]
    named = {
        line.split()[0].rstrip("/")
        for line in block.splitlines()
        if line.startswith("  ") and not line.startswith("    ") and line.strip()
    }
    tree = {
        p.name
        for p in PKG.iterdir()
        if (p.is_dir() and not p.name.startswith("__"))
        or (p.suffix == ".py" and p.stem not in ("__init__", "_version", "demo"))
    }
    tree.discard("reference")  # package data (Table Y1), not code
    assert named == tree


def test_the_package_writer_reads_no_xml_or_reference_with_regular_expressions():
    """The package writer edits XML with lxml and reads cell references with
    readers.cells; it imports no ``re`` at all (issue 41)."""
    path = MODULES["xlalloc.workbook.package"]
    assert "re" not in imports_of("xlalloc.workbook.package"), path


def test_no_function_is_over_80_lines():
    """Small pieces (issue 41): a function longer than 80 lines, docstring included, is
    split into functions that each say what they do."""
    long = []
    for mod, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > 80:
                    long.append(f"{mod}.{node.name}: {length} lines")
    assert long == []


#: Modules that import on demand, and why; every other module imports at its top.
IMPORT_ON_DEMAND = {
    "xlalloc": "import xlalloc loads nothing until a function is used",
    "xlalloc.api": "the API imports each use case where it is called",
    "xlalloc.usecases": "use cases are found without being imported",
    "xlalloc.parallel": "every command loads it; multiprocessing only where a command forks",
    "xlalloc.request": "a request is checked before anything is read",
    "xlalloc.cli": "the command line's entry: --help answers at once (issue 45)",
    "xlalloc.excel": "Excel loads the worksheet functions first, in under 0.3 s (issue 45)",
}
#: What any module may import where it is used: the optional extras, openpyxl, and the
#: workbook writers and Excel layer (a CSV output never loads them).
ON_DEMAND_TARGETS = (
    "matplotlib",
    "duckdb",
    "xlwings",
    "python_calamine",
    "pyarrow",
    "oletools",
    "openpyxl",
    "xlalloc.workbook",
    "xlalloc.excel",
)


def test_imports_are_at_the_top_but_for_the_entry_the_extras_and_the_writers():
    """Issue 41: imports at module top; issue 45: start-up paid only for what is used.

    An import inside a function is allowed in the entry modules above, of an optional
    extra, openpyxl or a writer, or with its reason in a comment on its line.
    """
    lazy = []
    for mod, path in MODULES.items():
        packages = ("xlalloc.cli", "xlalloc.excel")  # every module of these two
        if mod in IMPORT_ON_DEMAND or mod.startswith(tuple(p + "." for p in packages)):
            continue
        source = path.read_text()
        lines = source.splitlines()
        for fn in ast.walk(ast.parse(source)):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(fn):
                if isinstance(node, ast.Import):
                    target = node.names[0].name
                elif isinstance(node, ast.ImportFrom):
                    target = _resolve(mod, path, node)
                else:
                    continue
                if target == "xlalloc" or target.startswith("xlalloc."):
                    allowed = target.startswith(ON_DEMAND_TARGETS[-2:])
                else:
                    allowed = target.split(".")[0] in ON_DEMAND_TARGETS
                if not allowed and "#" not in lines[node.lineno - 1]:
                    lazy.append(f"{mod}, line {node.lineno}: {target}")
    assert lazy == []
