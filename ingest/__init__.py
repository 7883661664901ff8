"""Ingest: find scanned results, keep the ledger, and run every document through the pipeline."""
