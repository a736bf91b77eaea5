"""Scoring: every prospect domain of a campaign gets one 0-100 score from its authority,
relevance, link quality, competitor overlap and contact, capped when a risk flag is raised,
with a breakdown saying why."""
