"""Maps the top-level folders under one import package, ``deescal``.

The repository keeps ``app/``, ``ui/``, ``models/``... at the top level for readability, but bare
names like ``app`` or ``models`` would collide in site-packages, so they install as ``deescal.app``,
``deescal.ui`` and so on (``deescal`` itself is a namespace package).
"""

from setuptools import find_namespace_packages, setup

TOP_LEVEL = ["app", "ui", "scenario_library", "models", "finetune", "cli"]
DATA_GLOBS = ["*.json", "*.md", "*.csv", "*.txt", "*.png", "*.svg", "*.ico", "*.qss", "*.gguf"]

packages = [
    name
    for top in TOP_LEVEL
    for name in find_namespace_packages(include=[top, f"{top}.*"])
    if "__pycache__" not in name
]

setup(
    packages=[f"deescal.{name}" for name in packages],
    package_dir={f"deescal.{top}": top for top in TOP_LEVEL},
    package_data={f"deescal.{name}": DATA_GLOBS for name in packages},
)
