"""The import graph: the runtime (capture to overlay) never reaches export, offline, bench or torch.

Read from the source (every import, at any depth, lazy ones included), so that an arrow the
wrong way fails here even when no test happens to run the code path that would load it.
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "cer_live"
RUNTIME = (
    "run",
    "sources",
    "faces",
    "face_common",
    "models",
    "sinks",
    "messages.py",
    "classes.py",
    "errors.py",
    "cache.py",
    "cli.py",
    "runners.py",
    "commands/run.py",
    "commands/packs.py",
    "commands/sample.py",
)
FORBIDDEN = (
    "cer_live.export",
    "cer_live.offline",
    "cer_live.bench",
    "cer_live.convert",
    "cer_live.cluster",
    "ray",
    "torch",
    "torchvision",
    "onnx",
    "h5py",
)
# The optional torch backend is torch by nature; it loads only when --backend torch is chosen.
ALLOWED = {
    # `--ray` only: the cluster (and Ray) load by name when the config asks for a cluster.
    "runners.py": ("cer_live.cluster",),
    "models/backends/torch.py": ("torch", "torchvision"),
    "models/backends/torch_architectures.py": ("torch", "torchvision"),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Absolute names of every module `path` imports."""
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and _imports_by_name(node):
            found.add(_resolve(node.args[0].value, package))  # type: ignore[attr-defined]
    return found


def _imports_by_name(call: ast.Call) -> bool:
    """`importlib.import_module("x")`, `import_module("x")` or `__import__("x")` with a literal name."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    literal = bool(call.args) and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str)
    return name in ("import_module", "__import__") and literal


def _resolve(name: str, package: str) -> str:
    """A relative name ('.x', '..x') as import_module(name, package) reads it."""
    if not name.startswith("."):
        return name
    level = len(name) - len(name.lstrip("."))
    base = package.split(".")[: len(package.split(".")) - level + 1]
    return ".".join(base + ([name.lstrip(".")] if name.lstrip(".") else []))


def _runtime_files() -> list[Path]:
    files = []
    for entry in RUNTIME:
        path = PACKAGE / entry
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return files


def _forbidden(name: str, allowed: tuple[str, ...]) -> bool:
    return any(name == f or name.startswith(f + ".") for f in FORBIDDEN if f not in allowed)


def test_no_arrow_from_the_runtime_to_export_offline_bench_or_torch():
    wrong = []
    for path in _runtime_files():
        allowed = ALLOWED.get(path.relative_to(PACKAGE).as_posix(), ())
        wrong += [
            f"{path.relative_to(PACKAGE)} -> {name}" for name in sorted(_imports(path)) if _forbidden(name, allowed)
        ]
    assert not wrong, wrong


def test_the_check_sees_lazy_and_relative_imports(tmp_path):
    probe = PACKAGE / "run" / "_probe_for_test.py"
    probe.write_text(
        "import importlib\n"
        "def f():\n    from ..export import build\n    import torch\n"
        "    importlib.import_module('cer_live.cluster.launch')\n    __import__('ray')\n"
    )
    try:
        assert {"cer_live.export", "torch", "cer_live.cluster.launch", "ray"} <= _imports(probe)
    finally:
        probe.unlink()


def _package_of(name: str) -> str | None:
    """'cer_live.faces.detect' -> 'faces'; a top-level module is its own node; None outside cer_live."""
    parts = name.split(".")
    if parts[0] != "cer_live" or len(parts) < 2:
        return None
    return parts[1] if (PACKAGE / parts[1]).is_dir() or (PACKAGE / f"{parts[1]}.py").is_file() else None


def _package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        here = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        if here == "__init__":
            continue
        targets = {_package_of(name) for name in _imports(path)}
        graph.setdefault(here, set()).update(t for t in targets if t is not None and t != here)
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph, as the packages along it, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_package_imports_one_that_imports_it_back():
    """Packages form layers: no chain of imports (lazy or by name included) comes back to where it started."""
    cycle = _cycle(_package_graph())
    assert cycle is None, " -> ".join(cycle or [])


def test_the_cycle_check_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_pack_schema_reads_plain_data_not_the_detector_or_aligner():
    names = _imports(PACKAGE / "models" / "packs.py")
    assert not {"cer_live.faces.detect", "cer_live.faces.align"} & names
    assert not any(
        n.startswith("cer_live.samples") for n in _imports(PACKAGE / "models" / "backends" / "plan_cache.py")
    )
