"""Activity feature."""
