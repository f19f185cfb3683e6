"""Flask-WTF forms. Field names are the API's names; rules live in the Create models
and the services, and their messages are put next to the fields here.
"""

import secrets

from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import DateField
from wtforms import DecimalField
from wtforms import EmailField
from wtforms import HiddenField
from wtforms import IntegerField
from wtforms import PasswordField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import Optional

from app.i18n import translate
from app.services import countries
from app.services.errors import ValidationFailed
from models import CampaignStatus
from models import Channel
from models import ChapterKind
from models import Kind
from models import RecipientRole
from models import Role

CHANNEL_LABELS = {
    Channel.LETTER: "Letter",
    Channel.POSTCARD: "Postcard",
    Channel.CARD: "Greeting card",
    Channel.DRAWING: "Drawing",
    Channel.FAX: "Fax",
    Channel.EMAIL: "Email",
}
KIND_LABELS = {
    Kind.POSTCARD: "Postcard (a bare card, no envelope)",
    Kind.LETTER: "Letter (anything in an ordinary envelope, a card too)",
    Kind.LARGE_ENVELOPE: "Large envelope (a big flat envelope, e.g. an A4 drawing)",
}


def options(pairs, optgroup: str | None = None) -> list[SelectChoice]:
    """Turn ``(value, label)`` pairs into a select field's choices."""
    return [SelectChoice(value, label, optgroup=optgroup) for value, label in pairs]


def country_choices(blank: bool = True) -> list[SelectChoice]:
    """Countries by name in the reader's language, for a select field."""
    pairs = list(countries.country_choices(str(get_locale() or "en")))
    return options(([("", "Choose a country")] if blank else []) + pairs)


def show_errors(form: FlaskForm, failure: ValidationFailed) -> None:
    """Put a service's field errors next to the form's fields (or at the top)."""
    for error in failure.errors:
        message = translate(error.message, error.params)
        field = getattr(form, error.field, None)
        if field is None or not hasattr(field, "errors"):
            form.form_errors.append(message)
        else:
            field.errors = [*field.errors, message]


def form_data(form: FlaskForm) -> dict:
    """Return the form's filled-in values, without the CSRF token and submission id.

    Empty optional fields are left out, so the input model's defaults apply.
    """
    skip = ("csrf_token", "submission_id")
    return {k: v for k, v in form.data.items() if k not in skip and v is not None}


class SignInForm(FlaskForm):
    email = EmailField("Email", validators=[InputRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[InputRequired(), Length(max=256)])


class PasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[InputRequired()])
    new_password = PasswordField(
        "New password", validators=[InputRequired()], description="8 to 64 characters."
    )


class CampaignForm(FlaskForm):
    title = StringField("Title", validators=[InputRequired(), Length(max=160)])
    slug = StringField(
        "Short name",
        validators=[InputRequired(), Length(max=80)],
        description="Lower-case letters, digits and dashes; used in links.",
    )
    summary = TextAreaField("Summary of the case", validators=[Length(max=5000)])
    guidance = TextAreaField("How to write", validators=[Length(max=5000)])
    status = SelectField(
        "Status", choices=options((s.value, s.value.title()) for s in CampaignStatus)
    )
    starts_on = DateField("Starts on", validators=[InputRequired()])
    ends_on = DateField("Ends on", validators=[Optional()])
    goal = IntegerField("Goal (mailings)", validators=[Optional()])
    country = SelectField("Country of the case", validators=[InputRequired()])
    counter_threshold = IntegerField(
        "Show the public count from",
        default=0,
        validators=[Optional()],
        description="Below this many mailings the public counter shows encouragement.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices()


class RecipientForm(FlaskForm):
    key = StringField(
        "Key",
        validators=[InputRequired(), Length(max=40)],
        description="A short name within the campaign, e.g. president or prisoner.",
    )
    role = SelectField(
        "Role",
        choices=options(
            [
                (RecipientRole.APPEAL.value, "Appeal (the official asked to act)"),
                (RecipientRole.SOLIDARITY.value, "Solidarity (the prisoner or family)"),
                (RecipientRole.COPY.value, "Copy (e.g. an embassy)"),
            ]
        ),
    )
    name = StringField("Name", validators=[InputRequired(), Length(max=160)])
    salutation = StringField("Salutation", validators=[Length(max=160)])
    address_lines = TextAreaField(
        "Street address", validators=[Length(max=1000)], description="One line per line."
    )
    city = StringField("City", validators=[Length(max=120)])
    postcode = StringField("Postcode", validators=[Length(max=20)])
    country = SelectField("Country", validators=[InputRequired()])
    fax = StringField("Fax", validators=[Length(max=40)])
    email = StringField("Email", validators=[Length(max=254)])
    position = IntegerField("Order on the page", default=0, validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices()


class ChapterForm(FlaskForm):
    name = StringField(
        "Name",
        validators=[InputRequired(), Length(max=120)],
        description="A label such as “Class 4B, Hillside School” — never a child's name.",
    )
    slug = StringField("Short name", validators=[InputRequired(), Length(max=60)])
    kind = SelectField("Kind", choices=options((k.value, k.value.title()) for k in ChapterKind))
    town = StringField("Town", validators=[InputRequired(), Length(max=80)])
    country = SelectField("Country", validators=[InputRequired()])
    goal = IntegerField("Goal (mailings)", validators=[Optional()])
    public_counter = BooleanField("Show a public counter")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices()


class UserForm(FlaskForm):
    email = EmailField("Email", validators=[InputRequired(), Length(max=254)])
    role = SelectField(
        "Role",
        choices=options([(Role.COORDINATOR.value, "Coordinator"), (Role.STAFF.value, "Staff")]),
    )
    chapter = SelectField("Chapter", description="Coordinators log mail for this chapter.")


class MailingForm(FlaskForm):
    """Log one piece or a batch: "28 letters to the President from class 4B"."""

    submission_id = HiddenField()
    campaign = SelectField("Campaign")
    recipient = SelectField("Sent to")
    channel = SelectField(
        "What was sent", choices=options((c.value, label) for c, label in CHANNEL_LABELS.items())
    )
    count = IntegerField("How many", default=1, description="From 1 to 500.")
    sent_on = DateField("Date sent")
    sender_town = StringField("Sent from (town)")
    sender_country = SelectField("Sent from (country)")
    chapter = SelectField("Chapter")
    kind = SelectField(
        "Size for postage",
        choices=options(
            [("", "Usual for what was sent")] + [(k.value, lbl) for k, lbl in KIND_LABELS.items()]
        ),
    )
    weight_g = DecimalField("Weight in grams", validators=[Optional()])
    nonmachinable = BooleanField("Square, stiff or lumpy envelope")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sender_country.choices = country_choices()
        if not self.submission_id.data:
            # A one-time id: submitting this page twice logs one batch.
            self.submission_id.data = secrets.token_urlsafe(24)
