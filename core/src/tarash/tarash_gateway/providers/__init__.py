"""Helpers for writing providers: the field-mapper library lives in ``field_mappers``."""
