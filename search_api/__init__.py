"""Searching the archive: turns what an officer asks into index queries and readable hits."""
