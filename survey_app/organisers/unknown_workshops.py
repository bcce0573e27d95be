"""Answers stored under a workshop code this server does not know, for the quarantine page.

Such answers are stored, not kept aside: a workshop laptop pushing to the central server
tags answers with workshops made on the laptop. But a mistyped code on a phone looks the
same, so the organiser sees which codes they are and how many answers each has. Read from
the results tallies (a few rows per day), not from the submissions.
"""

from sqlalchemy import func
from sqlmodel import Session
from sqlmodel import select

from ..models import SubmissionTally
from ..models import Workshop


def unknown_workshop_codes(*, session: Session, limit: int = 50) -> list[tuple[str, int]]:
    """Each unknown workshop code with how many answers carry it, most answers first."""
    known = select(func.upper(Workshop.code))
    query = (select(SubmissionTally.workshop, func.sum(SubmissionTally.n))
             .where(SubmissionTally.workshop != "", func.upper(SubmissionTally.workshop).not_in(known))
             .group_by(SubmissionTally.workshop)
             .order_by(func.sum(SubmissionTally.n).desc(), SubmissionTally.workshop)
             .limit(limit))
    return [(code, int(count)) for code, count in session.exec(query)]
