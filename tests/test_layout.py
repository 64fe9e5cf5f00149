"""The library stays usable without Streamlit: nothing under genlab/ imports it."""

import ast
from pathlib import Path

GENLAB = Path(__file__).resolve().parent.parent / "genlab"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_genlab_never_imports_streamlit():
    offenders = [
        str(path.relative_to(GENLAB.parent))
        for path in GENLAB.rglob("*.py")
        if any(name.split(".")[0] == "streamlit" for name in imported_modules(path))
    ]
    assert len(list(GENLAB.rglob("*.py"))) > 20
    assert not offenders, offenders
