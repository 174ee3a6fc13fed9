"""Core of DeEscal Trainer: domain, storage and services. Plain Python, never imports Qt."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("deescal-trainer")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
