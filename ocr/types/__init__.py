"""Extraction rules, one TOML file per result type (data, not code)."""
