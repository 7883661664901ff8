"""sohoa: turn folders of scanned Vietnamese procedure results into a searchable archive."""

__version__ = "0.1.0"
