"""Reports: referring domains, velocity, authority, competitor gap and the outreach funnel."""
