"""Staff pages for chapters: the classes, schools and groups that send mail."""

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext as _

from app import db
from app.auth import staff_required
from app.forms import ChapterForm
from app.services import campaigns
from app.views.campaigns import _save_form
from models import ChapterCreate

bp = Blueprint("chapters", __name__, url_prefix="/chapters")


@bp.get("")
@staff_required
def index():
    """List every chapter by name."""
    return render_template("chapters/index.html", chapters=campaigns.all_chapters(db.get_session()))


@bp.route("/new", methods=["GET", "POST"])
@staff_required
def new():
    """Create a chapter."""
    return _edit(None)


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@staff_required
def edit(slug: str):
    """Edit a chapter.

    :raise 404: if there is no such chapter.
    """
    return _edit(campaigns.get_chapter(db.get_session(), slug))


def _edit(chapter):
    session = db.get_session()
    form = ChapterForm(obj=chapter)
    status = 200
    if form.validate_on_submit():
        saved, status = _save_form(
            form,
            ChapterCreate,
            lambda data: campaigns.save_chapter(session=session, data=data, chapter=chapter),
        )
        if saved:
            flash(_("Chapter “%(name)s” saved.", name=saved.name))
            return redirect(url_for("chapters.index"), 303)
    elif form.is_submitted():
        status = 422
    return render_template("chapters/form.html", form=form, chapter=chapter), status
