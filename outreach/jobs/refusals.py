"""Actions refused for want of a job queue or of disk space: told on the page, nothing kept."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, jsonify, redirect, request, url_for
from werkzeug.wrappers import Response

from outreach.extensions import db
from outreach.jobs.availability import JobsUnavailable
from outreach.jobs.uploads import UploadNotSaved
from outreach.web import safe_next

bp = Blueprint("refusals", __name__)


@bp.app_errorhandler(JobsUnavailable)
@bp.app_errorhandler(UploadNotSaved)
def action_refused(exc: Exception) -> Response | tuple[Response, int]:
    """A job that cannot start (Redis down), an upload that cannot be saved (disk full):
    nothing is kept, and the user is told why on the page they came from."""
    db.session.rollback()
    if request.is_json or request.accept_mimetypes.best == "application/json":
        return jsonify(error=str(exc)), 503
    flash(str(exc), "error")
    return redirect(_back(), 303)


def _back() -> str:
    """The page the action was posted from (this site only), else its own page or home."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path:
        path = referrer.path + (f"?{referrer.query}" if referrer.query else "")
        return safe_next(path, url_for("main.home"))
    rule = request.url_rule
    if request.method != "GET" and rule is not None and "GET" in (rule.methods or ()):
        return request.path
    return url_for("main.home")
