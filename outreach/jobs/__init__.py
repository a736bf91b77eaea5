"""Jobs feature."""
