"""The engine is pure Python: no Django import in its source, none pulled in at run time."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import marketing.pricing

ENGINE = Path(marketing.pricing.__file__).resolve().parent
ROOT = ENGINE.parents[1]


def _imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_module_of_the_engine_imports_django() -> None:
    sources = sorted(ENGINE.rglob("*.py"))
    assert len(sources) > 5
    offenders = {
        str(path.relative_to(ROOT)): sorted(name for name in _imported_modules(path) if name.split(".")[0] == "django")
        for path in sources
    }
    assert {path: names for path, names in offenders.items() if names} == {}


PROBE = """
import sys, types
root = sys.argv[1]
# Stand in for the two parent packages so their __init__ (Celery, app config) is not run:
# only the engine and mall.money are imported for real.
for name in ("mall", "marketing"):
    package = types.ModuleType(name)
    package.__path__ = [f"{root}/{name}"]
    sys.modules[name] = package
from marketing.pricing import load_scenario, quote
q = quote(load_scenario(sys.argv[2]).request)
loaded = sorted(m for m in sys.modules if m == "django" or m.startswith("django."))
print(q.payable, loaded)
"""


def test_engine_runs_with_django_absent_from_sys_modules() -> None:
    scenario = ROOT / "tests" / "scenarios" / "brief" / "f10_triple_stack.json"
    result = subprocess.run(  # noqa: S603 - our own interpreter and probe
        [sys.executable, "-c", PROBE, str(ROOT), str(scenario)], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "5500 []"
