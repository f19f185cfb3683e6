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
from app.forms import form_page
from app.services import campaigns
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
    def done(saved):
        flash(_("Chapter “%(name)s” saved.", name=saved.name))
        return redirect(url_for("chapters.index"), 303)

    return form_page(
        ChapterForm(obj=chapter),
        ChapterCreate,
        lambda data: campaigns.save_chapter(session=db.get_session(), data=data, chapter=chapter),
        done=done,
        template="chapters/form.html",
        chapter=chapter,
    )
