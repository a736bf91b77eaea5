"""Prospects feature."""
