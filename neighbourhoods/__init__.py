"""Neighbourhoods, practices, areas, postcodes and every lookup.

Laid out by lifecycle, one rule (docs/architecture.md, checked by import-linter in `make
lint`): front doors (admin/, api/, views/, management/, signals, templatetags) parse and call
one service or read; services/ alone writes many rows; importers/ turns files into rows;
selectors, versions and maps read; stored_answer owns the stored answer's shape and SQL;
answers is the vocabulary of outcomes; models are tables; audit/ is the audit trail of all
three apps.
"""
