"""Backlinks feature."""
