"""The reports page: filtered exports in every format, and the CSV import form."""

import datetime as dt
import tempfile

from flask import Blueprint
from flask import Response
from flask import abort
from flask import current_app
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from app import audit
from app import db
from app import guards
from app import limits
from app.auth import signed_in_required
from app.extensions import csrf
from app.i18n import translate
from app.services import campaigns
from app.services import scope
from app.services.errors import ValidationFailed
from app.services.reports import formats
from app.services.reports import imports
from app.services.reports import rows as report_rows
from app.services.reports import summary as report_summary
from models import User

bp = Blueprint("reports", __name__, url_prefix="/reports")

MIMETYPES = {
    "csv": "text/csv",  # Werkzeug adds "; charset=utf-8" to text types (twice if given)
    "json": "application/json; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FILTER_NAMES = ("campaign", "chapter", "channel", "status", "since", "until")
TOO_LARGE = _l("The file is larger than 10 MB. Split it into smaller files and import each.")


@bp.get("")
@signed_in_required
def index():
    """Show the export filters, a download link per format, and the import form."""
    problems = {}
    try:
        _filters()
    except ValidationFailed as failure:
        problems = {e.field: translate(e.message, e.params) for e in failure.errors}
    return _page(problems=problems, status=422 if problems else 200)


def _page(*, problems=None, result=None, failed=None, refused=None, status=200):
    session = db.get_session()
    args = {k: v for k, v in request.args.items() if k in FILTER_NAMES and v}
    downloads = [
        (_("Mailings (CSV)"), url_for("reports.mailings", fmt="csv", **args)),
        (_("Mailings (Excel)"), url_for("reports.mailings", fmt="xlsx", **args)),
        (_("Mailings (JSON)"), url_for("reports.mailings", fmt="json", **args)),
        (
            _("Outreaches for Action Network or CiviCRM (OSDI JSON)"),
            url_for("reports.osdi", **args),
        ),
        (_("Summary (CSV)"), url_for("reports.summary", fmt="csv", **args)),
        (_("Summary (Excel)"), url_for("reports.summary", fmt="xlsx", **args)),
    ]
    return render_template(
        "reports/index.html",
        args=args,
        problems=problems or {},
        downloads=downloads,
        campaigns=campaigns.all_campaigns(session),
        chapters=campaigns.all_chapters(session) if current_user.is_staff else [],
        result=result,
        failed=failed,
        refused=refused,
        columns=imports.REQUIRED_COLUMNS,
        optional_columns=imports.OPTIONAL_COLUMNS,
    ), status


def _filters():
    """Read the filters from the query string.

    :raises ValidationFailed: for a bad filter value.
    :raise 404: for a chapter the user may not see.
    """
    raw = {name: request.args.get(name) for name in FILTER_NAMES if request.args.get(name)}
    query = scope.parse_query(raw)
    return query, scope.resolve(db.get_session(), current_user.row, query)


def _viewer() -> User:
    """A copy of the signed-in user for a response that outlives the request's session."""
    row = current_user.row
    return User(
        id=row.id,
        email=row.email,
        role=row.role,
        chapter_id=row.chapter_id,
        password_hash="",
        session_token="",
    )


def _attachment(response: Response, name: str) -> Response:
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    audit.record("export", file=name, filters=request.args.to_dict())
    return response


def _export_or_page(make):
    try:
        query, filters = _filters()
    except ValidationFailed as failure:
        problems = {e.field: translate(e.message, e.params) for e in failure.errors}
        return _page(problems=problems, status=422)
    return make(query, filters)


@bp.get("/mailings.<any(csv, xlsx, json):fmt>")
@limits.exports
@signed_in_required
def mailings(fmt: str):
    """Download the mailings that match the filters, one per row; CSV and JSON stream.

    :raise 404: for a chapter the user may not see.
    """
    return _export_or_page(lambda query, filters: _mailings(fmt, query, filters))


def _mailings(fmt, query, filters):
    name = formats.filename("mailings", query, dt.date.today(), fmt)
    if fmt == "xlsx":
        return _attachment(_xlsx(filters), name)
    chunks = formats.csv_chunks if fmt == "csv" else formats.json_chunks
    return _attachment(Response(_streamed(filters, chunks), mimetype=MIMETYPES[fmt]), name)


@bp.get("/outreaches.json")
@limits.exports
@signed_in_required
def osdi():
    """Download the matching mailings as OSDI outreaches, streamed.

    :raise 404: for a chapter the user may not see.
    """

    def make(query, filters):
        base = current_app.config.get("PUBLIC_BASE_URL") or request.host_url
        chunks = lambda rows: formats.outreach_chunks(rows, base_url=base)  # noqa: E731
        body = _streamed(filters, chunks, with_created_at=True)
        name = formats.filename("outreaches", query, dt.date.today(), "json")
        return _attachment(Response(body, mimetype=MIMETYPES["json"]), name)

    return _export_or_page(make)


def _streamed(filters, chunks, *, with_created_at=False):
    """Yield an export's bytes from a session of its own, which outlives the request's."""
    app = current_app._get_current_object()
    viewer = _viewer()

    def generate():
        with db.new_session(app) as session:
            rows = report_rows.export_rows(
                session, user=viewer, filters=filters, with_created_at=with_created_at
            )
            yield from chunks(rows)

    return generate()


def _xlsx(filters) -> Response:
    # A workbook is a zip file that cannot be sent before it is finished: build it in
    # a temporary file (XlsxWriter's constant_memory keeps memory flat), then send it.
    handle = tempfile.TemporaryFile()
    with db.new_session() as session:
        rows = report_rows.export_rows(session, user=current_user.row, filters=filters)
        formats.write_xlsx(rows, handle)
    return _send_temporary(handle)


def _send_temporary(handle) -> Response:
    """Send a finished temporary file, closing (and so deleting) it once it is sent."""
    size = handle.tell()
    handle.seek(0)

    def chunks():
        try:
            while chunk := handle.read(256 * 1024):
                yield chunk
        finally:
            handle.close()

    response = Response(chunks(), mimetype=MIMETYPES["xlsx"])
    response.content_length = size
    # And when the response closes: a HEAD answer never starts the generator.
    response.call_on_close(handle.close)
    return response


@bp.get("/summary.<any(csv, xlsx):fmt>")
@limits.exports
@signed_in_required
def summary(fmt: str):
    """Download the totals per campaign by chapter, channel, country and postage.

    :raise 404: for a chapter the user may not see.
    """

    def make(query, filters):
        lines = report_summary.summarize(db.get_session(), user=current_user.row, filters=filters)
        name = formats.filename("summary", query, dt.date.today(), fmt)
        if fmt == "csv":
            return _attachment(
                Response(report_summary.summary_csv(lines), mimetype=MIMETYPES["csv"]), name
            )
        handle = tempfile.TemporaryFile()
        report_summary.write_summary_xlsx(lines, handle)
        return _attachment(_send_temporary(handle), name)

    return _export_or_page(make)


@bp.post("/import")
# Only this route takes files of up to 10 MB (and the form around one); the rest 1 MiB.
@guards.allow_body(imports.MAX_IMPORT_BYTES + 64 * 1024)
@csrf.exempt  # checked below, where a body over the limit can be answered in words
@signed_in_required
def import_file():
    """Check or import a CSV file of batches: all lines or none."""
    try:
        if current_app.config["WTF_CSRF_ENABLED"]:
            csrf.protect()
        upload = request.files.get("file")
    except RequestEntityTooLarge:
        abort(413, str(TOO_LARGE))
    if upload is None or not upload.filename:
        return _page(refused=_("Choose a CSV file to import."), status=422)
    data = upload.read(imports.MAX_IMPORT_BYTES + 1)
    dry_run = request.form.get("action") != "import"
    try:
        result = imports.import_mailings(
            session=db.get_session(), data=data, user=current_user.row, dry_run=dry_run
        )
    except imports.ImportRefused as refused:
        status = 413 if len(data) > imports.MAX_IMPORT_BYTES else 422
        return _page(refused=str(refused), status=status)
    except imports.ImportFailed as failed:
        return _page(failed=failed, status=422)
    return _page(result=result)
