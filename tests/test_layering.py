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
    "models",
    "sinks",
    "messages.py",
    "classes.py",
    "errors.py",
    "cache.py",
    "cli.py",
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
    return found


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
    probe.write_text("def f():\n    from ..export import build\n    import torch\n")
    try:
        assert {"cer_live.export", "torch"} <= _imports(probe)
    finally:
        probe.unlink()


def test_pack_schema_reads_plain_data_not_the_detector_or_aligner():
    names = _imports(PACKAGE / "models" / "packs.py")
    assert not {"cer_live.faces.detect", "cer_live.faces.align"} & names
    assert not any(
        n.startswith("cer_live.samples") for n in _imports(PACKAGE / "models" / "backends" / "plan_cache.py")
    )
