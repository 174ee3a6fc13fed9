"""The records layer: the only code that talks SQL.

``store`` owns the SQLite file (WAL, backups, migrations), ``entities`` the typed rows the rest of
the app receives, and one repository module per group of tables. Rules about stored data (the
effective score, who a trainee is, which sessions train a model) are written here once.
"""
