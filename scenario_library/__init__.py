"""The scenario format, the bundled library and importers for DeEscalWild data."""
