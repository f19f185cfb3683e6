"""Flask-WTF forms. Field names are the API's names; rules live in the Create models
and the services, and their messages are put next to the fields here.
"""

import secrets

from flask import render_template
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from pydantic import ValidationError
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
from app.labels import CHANNEL_LABELS
from app.labels import CHAPTER_KIND_LABELS
from app.labels import KIND_CHOICES
from app.services import countries
from app.services.errors import ValidationFailed
from models import RecipientRole
from models import Role

# WTForms' own messages (a required field left empty, a malformed date), translated.
REQUIRED = _l("This field is required.")


def options(pairs, optgroup: str | None = None) -> list[SelectChoice]:
    """Turn ``(value, label)`` pairs into a select field's choices."""
    return [SelectChoice(value, label, optgroup=optgroup) for value, label in pairs]


def country_choices(blank: bool = True) -> list[SelectChoice]:
    """Countries by name in the reader's language, for a select field."""
    pairs = list(countries.country_choices(str(get_locale() or "en")))
    return options(([("", _l("Choose a country"))] if blank else []) + pairs)


def show_errors(form: FlaskForm, failure: ValidationFailed) -> None:
    """Put a service's field errors next to the form's fields (or at the top)."""
    for error in failure.errors:
        message = translate(error.message, error.params)
        field = getattr(form, error.field, None)
        if field is None or not hasattr(field, "errors"):
            form.form_errors.append(message)
        else:
            field.errors = [*field.errors, message]


def save_form(form: FlaskForm, model, save):
    """Validate *form* into the input *model* and call *save* with it.

    Returns the saved row, or ``None`` with the problems put next to the fields.
    """
    try:
        return save(model.model_validate(form_data(form)))
    except ValidationError as exc:
        show_errors(form, ValidationFailed.from_pydantic(exc))
    except ValidationFailed as failure:
        show_errors(form, failure)
    return None


def form_page(form: FlaskForm, model, save, *, done, template: str, **context):
    """Run a create/edit page: on a valid submission save through *model* and *save* and
    return ``done(row)`` (a redirect); otherwise render *template*, 422 if refused."""
    status = 200
    if form.validate_on_submit():
        row = save_form(form, model, save)
        if row is not None:
            return done(row)
        status = 422
    elif form.is_submitted():
        status = 422
    return render_template(template, form=form, **context), status


def form_data(form: FlaskForm) -> dict:
    """Return the form's filled-in values, without the CSRF token and submission id.

    Empty optional fields are left out, so the input model's defaults apply.
    """
    skip = ("csrf_token", "submission_id")
    return {k: v for k, v in form.data.items() if k not in skip and v is not None}


class SignInForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[InputRequired(REQUIRED), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[InputRequired(REQUIRED), Length(max=256)])


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[InputRequired(REQUIRED)])
    new_password = PasswordField(
        _l("New password"),
        validators=[InputRequired(REQUIRED)],
        description=_l("8 to 64 characters."),
    )


class CampaignForm(FlaskForm):
    title = StringField(_l("Title"), validators=[InputRequired(REQUIRED), Length(max=160)])
    slug = StringField(
        _l("Short name"),
        validators=[InputRequired(REQUIRED), Length(max=80)],
        description=_l("Lower-case letters, digits and dashes; used in links."),
    )
    summary = TextAreaField(_l("Summary of the case"), validators=[Length(max=5000)])
    guidance = TextAreaField(_l("How to write"), validators=[Length(max=5000)])
    status = SelectField(
        _l("Status"),
        choices=options(
            [("draft", _l("Draft")), ("active", _l("Active")), ("closed", _l("Closed"))]
        ),
    )
    starts_on = DateField(_l("Starts on"), validators=[InputRequired(REQUIRED)])
    ends_on = DateField(_l("Ends on"), validators=[Optional()])
    goal = IntegerField(_l("Goal (mailings)"), validators=[Optional()])
    country = SelectField(_l("Country of the case"), validators=[InputRequired(REQUIRED)])
    counter_threshold = IntegerField(
        _l("Show the public count from"),
        default=0,
        validators=[Optional()],
        description=_l("Below this many mailings the public counter shows encouragement."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices()


class RecipientForm(FlaskForm):
    key = StringField(
        _l("Key"),
        validators=[InputRequired(REQUIRED), Length(max=40)],
        description=_l("A short name within the campaign, e.g. president or prisoner."),
    )
    role = SelectField(
        _l("Role"),
        choices=options(
            [
                (RecipientRole.APPEAL.value, _l("Appeal (the official asked to act)")),
                (RecipientRole.SOLIDARITY.value, _l("Solidarity (the prisoner or family)")),
                (RecipientRole.COPY.value, _l("Copy (e.g. an embassy)")),
            ]
        ),
    )
    name = StringField(_l("Name"), validators=[InputRequired(REQUIRED), Length(max=160)])
    salutation = StringField(_l("Salutation"), validators=[Length(max=160)])
    address_lines = TextAreaField(
        _l("Street address"),
        validators=[Length(max=1000)],
        description=_l("One line per line."),
    )
    city = StringField(_l("City"), validators=[Length(max=120)])
    postcode = StringField(_l("Postcode"), validators=[Length(max=20)])
    country = SelectField(_l("Country"), validators=[InputRequired(REQUIRED)])
    fax = StringField(_l("Fax"), validators=[Length(max=40)])
    email = StringField(_l("Email"), validators=[Length(max=254)])
    position = IntegerField(_l("Order on the page"), default=0, validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices()


class ChapterForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[InputRequired(REQUIRED), Length(max=120)],
        description=_l("A label such as “Class 4B, Hillside School” — never a child's name."),
    )
    slug = StringField(_l("Short name"), validators=[InputRequired(REQUIRED), Length(max=60)])
    kind = SelectField(_l("Kind"), choices=options(CHAPTER_KIND_LABELS.items()))
    town = StringField(_l("Town"), validators=[InputRequired(REQUIRED), Length(max=80)])
    country = SelectField(_l("Country"), validators=[InputRequired(REQUIRED)])
    goal = IntegerField(_l("Goal (mailings)"), validators=[Optional()])
    public_counter = BooleanField(_l("Show a public counter"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices()


class UserForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[InputRequired(REQUIRED), Length(max=254)])
    role = SelectField(
        _l("Role"),
        choices=options(
            [(Role.COORDINATOR.value, _l("Coordinator")), (Role.STAFF.value, _l("Staff"))]
        ),
    )
    chapter = SelectField(_l("Chapter"), description=_l("Coordinators log mail for this chapter."))


class MailingForm(FlaskForm):
    """Log one piece or a batch: "28 letters to the President from class 4B"."""

    submission_id = HiddenField()
    campaign = SelectField(_l("Campaign"))
    recipient = SelectField(_l("Sent to"))
    channel = SelectField(_l("What was sent"), choices=options(CHANNEL_LABELS.items()))
    count = IntegerField(_l("How many"), default=1, description=_l("From 1 to 500."))
    sent_on = DateField(_l("Date sent"))
    sender_town = StringField(_l("Sent from (town)"))
    sender_country = SelectField(_l("Sent from (country)"))
    chapter = SelectField(_l("Chapter"))
    kind = SelectField(
        _l("Size for postage"),
        choices=options([("", _l("Usual for what was sent")), *KIND_CHOICES.items()]),
    )
    weight_g = DecimalField(_l("Weight in grams"), validators=[Optional()])
    nonmachinable = BooleanField(_l("Square, stiff or lumpy envelope"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sender_country.choices = country_choices()
        if not self.submission_id.data:
            # A one-time id: submitting this page twice logs one batch.
            self.submission_id.data = secrets.token_urlsafe(24)


class TokenForm(FlaskForm):
    """Create an API token for oneself."""

    label = StringField(
        _l("What is it for?"),
        validators=[Length(max=100)],
        description=_l("A note for you and staff, e.g. “school spreadsheet script”."),
    )


class PhraseForm(FlaskForm):
    text = StringField(
        _l("Phrase"),
        validators=[InputRequired(REQUIRED), Length(max=300)],
        description=_l("In the prisoner's language, e.g. «Мы думаем о Вас!»"),
    )
    meaning = StringField(
        _l("What it means"),
        validators=[Length(max=300)],
        description=_l("e.g. We're thinking of you"),
    )
    language = StringField(
        _l("Language code"),
        validators=[InputRequired(REQUIRED), Length(max=12)],
        description=_l("e.g. ru for Russian, ky for Kyrgyz."),
    )
    position = IntegerField(_l("Order on the page"), default=0, validators=[Optional()])
