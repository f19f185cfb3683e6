"""Worker processes for the reliability tests (importable, so ``spawn`` can start them)."""

import datetime as dt
import time

from sqlmodel import Session

from app.services.database import make_engine
from app.services.mailings import log as mailing_log
from models import User


def log_for(url: str, user_id: int, worker: int, start_at: float, seconds: float) -> dict:
    """Log small batches through ``log_mailings`` from *start_at* for *seconds*.

    Returns how many mailings were acknowledged (``log_mailings`` returned), and each
    error's text: the caller wants none, and above all no "database is locked".
    """
    engine = make_engine(url)
    acknowledged, errors, number = 0, [], 0
    try:
        with Session(engine, expire_on_commit=False) as session:
            user = session.get(User, user_id)
            session.commit()
            time.sleep(max(0.0, start_at - time.time()))
            deadline = time.time() + seconds
            while time.time() < deadline:
                number += 1
                count = 1 + number % 3
                data = mailing_log.parse_batch(
                    {
                        "campaign": "azimjan-askarov",
                        "recipient": "president",
                        "channel": "letter",
                        "sender_town": f"Town {worker}",
                        "sender_country": "US",
                        "sent_on": dt.date(2025, 12, 1 + number % 28),
                        "count": count,
                    }
                )
                try:
                    mailing_log.log_mailings(
                        session=session,
                        data=data,
                        user=user,
                        submission_id=f"w{worker}-{number}",
                        today=dt.date(2026, 1, 31),
                    )
                except Exception as exc:  # every failure counts against the figure
                    session.rollback()
                    errors.append(f"{type(exc).__name__}: {exc}"[:300])
                    continue
                acknowledged += count
    finally:
        engine.dispose()
    return {"acknowledged": acknowledged, "batches": number - len(errors), "errors": errors}
