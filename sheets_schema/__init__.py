"""Declarative schemas of the sheets ubnd-sync reads (data files, read by ``sync.schema``)."""
