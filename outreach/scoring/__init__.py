"""Scoring prospects: authority, relevance, link quality and risk."""
