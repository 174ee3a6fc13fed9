"""PySide6 front end: windows, views and workers wired to the services in ``deescal.app``."""
