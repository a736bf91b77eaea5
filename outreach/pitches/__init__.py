"""Pitches feature."""
