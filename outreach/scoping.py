"""Loading one row of the current workspace, the same way in every feature."""

from __future__ import annotations

from typing import Any, TypeVar

from flask import abort
from werkzeug.exceptions import NotFound

from outreach.db import MAX_ID
from outreach.extensions import db

Row = TypeVar("Row")


class InOtherWorkspace(NotFound):
    """A 404 for a row that exists in another workspace.

    It renders exactly as any 404; the error page may first check whether the signed-in user
    belongs to that workspace, and if so switch to it and open the link again.
    """

    def __init__(self, workspace_id: int) -> None:
        super().__init__()
        self.workspace_id = workspace_id


def get_in_workspace(model: type[Row], workspace_id: int, object_id: int) -> Row:
    """The ``model`` row with this id if it belongs to the workspace; 404 otherwise.

    A row of another workspace answers exactly like a missing one, so ids reveal nothing.
    """
    if not 0 < object_id <= MAX_ID:  # an id no row can have (PostgreSQL would refuse it)
        abort(404)
    row: Any = db.session.get(model, object_id)
    if row is None:
        abort(404)
    if row.workspace_id != workspace_id:
        raise InOtherWorkspace(row.workspace_id)
    return row  # type: ignore[no-any-return]
