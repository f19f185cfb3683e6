"""SQLModel tables and their Create/Public siblings. Never imports Flask.

Importing this package imports every table module, so ``metadata`` is complete.
"""

from models.base import metadata
from models.campaign import Campaign
from models.campaign import CampaignCreate
from models.campaign import CampaignStatus
from models.campaign import Phrase
from models.campaign import PhraseCreate
from models.campaign import Recipient
from models.campaign import RecipientCreate
from models.campaign import RecipientRole
from models.chapter import Chapter
from models.chapter import ChapterCreate
from models.chapter import ChapterKind
from models.idempotency import IdempotentRequest
from models.mailing import POST_CHANNELS
from models.mailing import Batch
from models.mailing import Channel
from models.mailing import Kind
from models.mailing import Mailing
from models.mailing import MailingBatchCreate
from models.mailing import MailingEvent
from models.mailing import MailingQuery
from models.mailing import MailingStatus
from models.tally import ChapterTally
from models.tally import DayTally
from models.tally import MailingTally
from models.tally import PlaceTally
from models.tally import PurgedTally
from models.user import ApiToken
from models.user import Role
from models.user import User

__all__ = [
    "POST_CHANNELS",
    "ApiToken",
    "Batch",
    "Campaign",
    "CampaignCreate",
    "CampaignStatus",
    "Channel",
    "Chapter",
    "ChapterCreate",
    "ChapterKind",
    "ChapterTally",
    "DayTally",
    "IdempotentRequest",
    "Kind",
    "Mailing",
    "Phrase",
    "PhraseCreate",
    "MailingBatchCreate",
    "MailingEvent",
    "MailingQuery",
    "MailingStatus",
    "MailingTally",
    "PlaceTally",
    "PurgedTally",
    "Recipient",
    "RecipientCreate",
    "RecipientRole",
    "Role",
    "User",
    "metadata",
]
