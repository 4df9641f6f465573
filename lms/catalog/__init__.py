"""Catalog: courses and their immutable published versions, the importer and the catalog pages."""
