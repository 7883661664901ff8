"""Search indexes behind one small interface: the embedded SQLite FTS5 index and, later, Elasticsearch."""
