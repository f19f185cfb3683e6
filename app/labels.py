"""What people read for the app's codes (channels, kinds, statuses), in their language."""

from flask_babel import lazy_gettext as _l

from models import Channel
from models import ChapterKind
from models import Kind
from models import MailingStatus

CHANNEL_LABELS = {
    Channel.LETTER: _l("Letter"),
    Channel.POSTCARD: _l("Postcard"),
    Channel.CARD: _l("Greeting card"),
    Channel.DRAWING: _l("Drawing"),
    Channel.FAX: _l("Fax"),
    Channel.EMAIL: _l("Email"),
}
KIND_LABELS = {
    Kind.POSTCARD: _l("postcard"),
    Kind.LETTER: _l("letter"),
    Kind.LARGE_ENVELOPE: _l("large envelope"),
}
KIND_CHOICES = {
    Kind.POSTCARD: _l("Postcard (a bare card, no envelope)"),
    Kind.LETTER: _l("Letter (anything in an ordinary envelope, a card too)"),
    Kind.LARGE_ENVELOPE: _l("Large envelope (a big flat envelope, e.g. an A4 drawing)"),
}
STATUS_LABELS = {
    MailingStatus.LOGGED: _l("logged"),
    MailingStatus.POSTED: _l("posted"),
    MailingStatus.VOID: _l("void"),
    "draft": _l("draft"),
    "active": _l("active"),
    "closed": _l("closed"),
}
CHAPTER_KIND_LABELS = {
    ChapterKind.CLASS: _l("Class"),
    ChapterKind.SCHOOL: _l("School"),
    ChapterKind.GROUP: _l("Group"),
    ChapterKind.INDIVIDUAL: _l("Individual"),
}


def label(labels: dict, code: str | None) -> str:
    """Return the label of *code*, or the code itself if it has none."""
    return str(labels.get(code, code or ""))
