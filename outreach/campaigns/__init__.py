"""Campaigns feature."""
