"""Pipeline feature: the board, the table, prospect timelines and the personal today page."""
