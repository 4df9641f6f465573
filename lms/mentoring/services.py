"""Mentoring rules: programmes, pairing (one active mentor per mentee and programme), sessions
logged by one side and decided once by the other, course suggestions, and HR's activity per unit.

Services flush and never commit; a rule that says no raises a MentoringError the views flash.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload

from lms.accounts.models import HR, Unit, User
from lms.accounts.nip import InvalidNip, looks_like_nip, parse_nip
from lms.accounts.services import find_by_login
from lms.catalog.models import Course, CourseVersion
from lms.clock import utcnow
from lms.content import render_markdown
from lms.content.problems import N_
from lms.errors import DomainError
from lms.extensions import db
from lms.mentoring.models import (
    CONFIRMED,
    DECLINED,
    PENDING,
    CourseSuggestion,
    MentoringProgramme,
    MentoringSession,
    Mentorship,
)
from lms.notifications.services import notify, register_kind
from lms.reports import tables
from lms.reports.exports import Column
from lms.reports.queries import unit_and_descendants

MIN_MINUTES, MAX_MINUTES = 15, 480
# In-app notifications: each side hears of what waits for them or what the other side decided.
PAIRED, SESSION_LOGGED, SESSION_CONFIRMED, SESSION_DECLINED, COURSE_SUGGESTED = (
    "mentoring-paired", "mentoring-session-logged", "mentoring-session-confirmed",
    "mentoring-session-declined", "mentoring-course-suggested",
)  # fmt: skip
register_kind(PAIRED, N_("%(mentor)s is your mentor in “%(programme)s”."))
register_kind(
    SESSION_LOGGED, N_("%(name)s logged a mentoring session “%(topic)s”: please confirm it.")
)
register_kind(SESSION_CONFIRMED, N_("%(name)s confirmed the mentoring session “%(topic)s”."))
register_kind(SESSION_DECLINED, N_("%(name)s declined the mentoring session “%(topic)s”."))
register_kind(COURSE_SUGGESTED, N_("Your mentor %(mentor)s suggests the course “%(course)s”."))


def pairing_path(mentorship_id: int, anchor: str = "") -> str:
    return f"/mentoring/pairings/{mentorship_id}" + (f"#{anchor}" if anchor else "")


TOPIC_MAX = 200
NOTES_MAX = 20_000
REASON_MAX = 500
NOTE_MAX = 500
NAME_MAX = 200
DESCRIPTION_MAX = 2000
MAX_MENTEE_LINES = 200


class MentoringError(DomainError):
    """A mentoring rule said no; `field` names the form field the message belongs to, if any."""

    def __init__(self, template: str | None = None, *, field: str | None = None, **params):
        super().__init__(template, **params)
        self.field = field


class NotAllowed(MentoringError):
    template = N_("Only the mentor, the mentee and HR can see this mentoring pairing.")


class NotYourSession(MentoringError):
    template = N_("Only the person who logged this session can change or delete it.")


class NotYourDecision(MentoringError):
    template = N_(
        "A session is confirmed or declined by the other side of the pairing, "
        "not by the person who logged it."
    )


class AlreadyDecided(MentoringError):
    template = N_("This session has already been confirmed or declined; nothing was changed.")


class SessionChanged(MentoringError):
    template = N_("The session was changed in the meantime. Check it and decide again.")


class PairingEnded(MentoringError):
    template = N_("This pairing has ended: no new sessions can be logged or changed.")


class OnlyMentor(MentoringError):
    template = N_("Only the mentor of this pairing can suggest courses.")


class CourseNotAvailable(MentoringError):
    template = N_("This course is not published in the catalog.")


@dataclass(frozen=True)
class LineProblem:
    line: int
    text: str
    template: str
    params: dict = field(default_factory=dict)


class PairingRefused(MentoringError):
    """Some mentee lines are wrong: every one is reported, and nothing is saved."""

    template = N_("Nothing was saved: correct the lines below and send the list again.")

    def __init__(self, problems: list[LineProblem]):
        super().__init__(field="mentees")
        self.problems = problems


# --- who may see what --------------------------------------------------------------------------


def is_participant(user, mentorship: Mentorship) -> bool:
    return user.id in (mentorship.mentor_id, mentorship.mentee_id)


def may_see(user, mentorship: Mentorship) -> bool:
    """The pairing page, its sessions and notes: the pair, HR and admin (has_role counts admin)."""
    return is_participant(user, mentorship) or user.has_role(HR)


def may_suggest(user, mentorship: Mentorship) -> bool:
    """Course suggestions (and the mentee's live progress) are the mentor's while the pairing
    lasts; the mentee and HR read the suggestions, and an ended pairing keeps its history."""
    return user.id == mentorship.mentor_id and mentorship.active


def check_may_see(user, mentorship: Mentorship) -> None:
    if not may_see(user, mentorship):
        raise NotAllowed()


def has_mentoring(user_id: int) -> bool:
    """Whether the person is or was in a pairing, either side: one cheap query for the dashboard."""
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    or_(Mentorship.mentor_id == user_id, Mentorship.mentee_id == user_id)
                )
            )
        )
    )


# --- programmes --------------------------------------------------------------------------------


def _check_programme(name: str, starts_on: date | None, ends_on: date | None) -> str:
    name = (name or "").strip()
    if not name:
        raise MentoringError(N_("Give the programme a name."), field="name")
    if len(name) > NAME_MAX:
        raise MentoringError(N_("Keep the name to 200 characters or fewer."), field="name")
    if starts_on is None:
        raise MentoringError(N_("Give the date the programme starts."), field="starts_on")
    if ends_on is not None and ends_on < starts_on:
        raise MentoringError(N_("The end date is before the start date."), field="ends_on")
    return name


def _name_taken(name: str, except_id: int | None = None) -> bool:
    stmt = select(MentoringProgramme.id).where(func.lower(MentoringProgramme.name) == name.lower())
    if except_id is not None:
        stmt = stmt.where(MentoringProgramme.id != except_id)
    return db.session.scalar(stmt) is not None


_NAME_TAKEN = N_("A programme with this name already exists.")


def create_programme(
    name: str, description: str, starts_on: date | None, ends_on: date | None, created_by: User
) -> MentoringProgramme:
    name = _check_programme(name, starts_on, ends_on)
    if _name_taken(name):
        raise MentoringError(_NAME_TAKEN, field="name")
    programme = MentoringProgramme(
        name=name,
        description=(description or "").strip()[:DESCRIPTION_MAX],
        starts_on=starts_on,
        ends_on=ends_on,
        created_by_id=created_by.id,
    )
    try:
        with db.session.begin_nested():  # a double click: the unique name stops the second
            db.session.add(programme)
    except IntegrityError:
        raise MentoringError(_NAME_TAKEN, field="name") from None
    return programme


def update_programme(
    programme: MentoringProgramme,
    name: str,
    description: str,
    starts_on: date | None,
    ends_on: date | None,
) -> None:
    name = _check_programme(name, starts_on, ends_on)
    if _name_taken(name, except_id=programme.id):
        raise MentoringError(_NAME_TAKEN, field="name")
    try:
        with db.session.begin_nested():
            programme.name = name
            programme.description = (description or "").strip()[:DESCRIPTION_MAX]
            programme.starts_on = starts_on
            programme.ends_on = ends_on
    except IntegrityError:
        raise MentoringError(_NAME_TAKEN, field="name") from None


@dataclass(frozen=True)
class ProgrammeLine:
    programme: MentoringProgramme
    active_pairings: int
    pairings: int


def programmes() -> list[ProgrammeLine]:
    """Every programme, newest first, with how many pairings it has (and how many active)."""
    counts = (
        select(
            Mentorship.programme_id,
            func.count(Mentorship.id).label("n"),
            func.count(Mentorship.id).filter(Mentorship.ended_at.is_(None)).label("active"),
        )
        .group_by(Mentorship.programme_id)
        .subquery()
    )
    rows = db.session.execute(
        select(MentoringProgramme, func.coalesce(counts.c.active, 0), func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.programme_id == MentoringProgramme.id)
        .order_by(MentoringProgramme.starts_on.desc(), MentoringProgramme.name)
    )
    return [ProgrammeLine(p, active, n) for p, active, n in rows]


# --- pairing -----------------------------------------------------------------------------------


def _find_person(text: str) -> tuple[User | None, str | None, dict]:
    """The active account a typed NIP or username names, or why there is none."""
    if looks_like_nip(text):
        try:
            parse_nip(text)
        except InvalidNip as exc:
            return None, exc.template, exc.params
    user = find_by_login(text)
    if user is None:
        return None, N_("No account has this NIP or username."), {}
    if not user.active:
        return None, N_("This account is disabled."), {}
    return user, None, {}


def _check_pairing_dates(programme: MentoringProgramme, starts_on: date | None, ends_on):
    if starts_on is None:
        raise MentoringError(N_("Give the date the pairing starts."), field="starts_on")
    if ends_on is not None and ends_on < starts_on:
        raise MentoringError(N_("The end date is before the start date."), field="ends_on")
    if starts_on < programme.starts_on or (
        programme.ends_on is not None and starts_on > programme.ends_on
    ):
        raise MentoringError(
            N_("The pairing must start within the programme's dates."), field="starts_on"
        )
    if programme.ends_on is not None and ends_on is not None and ends_on > programme.ends_on:
        raise MentoringError(
            N_("The pairing must end by the programme's end date."), field="ends_on"
        )


_ALREADY_PAIRED = N_("Already has an active mentor in this programme: %(mentor)s.")


def pair(
    programme: MentoringProgramme,
    mentor_login: str,
    mentees_text: str,
    starts_on: date | None,
    ends_on: date | None,
    created_by: User,
) -> list[Mentorship]:
    """Pair one mentor with each mentee listed (a NIP or username a line); all or nothing."""
    mentor, reason, params = _find_person((mentor_login or "").strip())
    if mentor is None:
        raise MentoringError(reason, field="mentor", **params)
    _check_pairing_dates(programme, starts_on, ends_on)
    lines = [(n, text.strip()) for n, text in enumerate((mentees_text or "").splitlines(), 1)]
    lines = [(n, text) for n, text in lines if text]
    if not lines:
        raise MentoringError(N_("List at least one mentee."), field="mentees")
    if len(lines) > MAX_MENTEE_LINES:
        raise MentoringError(
            N_("List at most %(max)d mentees at a time."), field="mentees", max=MAX_MENTEE_LINES
        )
    problems: list[LineProblem] = []
    found: list[tuple[int, str, User]] = []
    seen: dict[int, int] = {}
    for n, text in lines:
        user, reason, params = _find_person(text)
        if user is None:
            problems.append(LineProblem(n, text, reason, params))
        elif user.id == mentor.id:
            problems.append(LineProblem(n, text, N_("A mentor cannot mentor themselves.")))
        elif user.id in seen:
            problems.append(
                LineProblem(
                    n, text, N_("Listed already on line %(line)d."), {"line": seen[user.id]}
                )
            )
        else:
            seen[user.id] = n
            found.append((n, text, user))
    current = _active_mentors(programme.id, [u.id for _, _, u in found])
    for n, text, user in found:
        if user.id in current:
            problems.append(LineProblem(n, text, _ALREADY_PAIRED, {"mentor": current[user.id]}))
    if problems:
        raise PairingRefused(sorted(problems, key=lambda p: p.line))
    created: list[Mentorship] = []
    with db.session.begin_nested():  # raising inside rolls every line back: all or nothing
        for n, text, user in found:
            pairing = Mentorship(
                programme_id=programme.id,
                mentor_id=mentor.id,
                mentee_id=user.id,
                starts_on=starts_on,
                ends_on=ends_on,
                created_by_id=created_by.id,
            )
            try:
                # The partial unique index decides when two requests pair the same mentee.
                with db.session.begin_nested():
                    db.session.add(pairing)
            except IntegrityError:
                mentor_name = _active_mentors(programme.id, [user.id]).get(user.id, "?")
                problems.append(LineProblem(n, text, _ALREADY_PAIRED, {"mentor": mentor_name}))
            else:
                created.append(pairing)
        if problems:
            raise PairingRefused(problems)
    for pairing in created:
        notify(
            pairing.mentee_id, PAIRED, pairing_path(pairing.id),
            mentor=mentor.name, programme=programme.name,
        )  # fmt: skip
    return created


def _active_mentors(programme_id: int, mentee_ids: list[int]) -> dict[int, str]:
    if not mentee_ids:
        return {}
    mentor = aliased(User)
    rows = db.session.execute(
        select(Mentorship.mentee_id, mentor.name)
        .join(mentor, mentor.id == Mentorship.mentor_id)
        .where(
            Mentorship.programme_id == programme_id,
            Mentorship.mentee_id.in_(mentee_ids),
            Mentorship.ended_at.is_(None),
        )
    )
    return dict(rows.all())


def end_pairing(mentorship: Mentorship) -> bool:
    """End an active pairing; its sessions and suggestions stay. False if it had ended already."""
    result = db.session.execute(
        update(Mentorship)
        .where(Mentorship.id == mentorship.id, Mentorship.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
    db.session.refresh(mentorship)
    return result.rowcount == 1


@dataclass(frozen=True)
class PairingLine:
    mentorship: Mentorship
    confirmed: int
    pending: int
    confirmed_minutes: int

    @property
    def confirmed_hours(self) -> float:
        return self.confirmed_minutes / 60


def _session_counts():
    s = MentoringSession
    return (
        select(
            s.mentorship_id,
            func.count(s.id).filter(s.status == CONFIRMED).label("confirmed"),
            func.count(s.id).filter(s.status == PENDING).label("pending"),
            func.coalesce(func.sum(s.minutes).filter(s.status == CONFIRMED), 0).label("minutes"),
        )
        .group_by(s.mentorship_id)
        .subquery()
    )


def _pairing_lines(stmt) -> list[PairingLine]:
    counts = _session_counts()
    rows = db.session.execute(
        stmt.add_columns(
            func.coalesce(counts.c.confirmed, 0),
            func.coalesce(counts.c.pending, 0),
            func.coalesce(counts.c.minutes, 0),
        )
        .outerjoin(counts, counts.c.mentorship_id == Mentorship.id)
        .options(
            joinedload(Mentorship.mentor).joinedload(User.unit),
            joinedload(Mentorship.mentee).joinedload(User.unit),
            joinedload(Mentorship.programme),
        )
    )
    return [PairingLine(m, c, p, int(minutes)) for m, c, p, minutes in rows]


def programme_pairings(programme_id: int) -> list[PairingLine]:
    """The programme's pairings, active first, then by mentor and mentee name."""
    mentor, mentee = aliased(User), aliased(User)
    return _pairing_lines(
        select(Mentorship)
        .join(mentor, mentor.id == Mentorship.mentor_id)
        .join(mentee, mentee.id == Mentorship.mentee_id)
        .where(Mentorship.programme_id == programme_id)
        .order_by(Mentorship.ended_at.is_not(None), mentor.name, mentee.name, Mentorship.id)
    )


def pairings_of(user_id: int) -> list[PairingLine]:
    """Where the person is mentor or mentee: active first, newest first."""
    return _pairing_lines(
        select(Mentorship)
        .where(or_(Mentorship.mentor_id == user_id, Mentorship.mentee_id == user_id))
        .order_by(Mentorship.ended_at.is_not(None), Mentorship.starts_on.desc(), Mentorship.id)
    )


# --- sessions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionInput:
    day: date | None
    start: time | None
    minutes: int | None
    topic: str
    notes: str


def _started_at(mentorship: Mentorship, data: SessionInput, zone: str) -> datetime:
    """Check what was typed and return when the meeting began, in UTC."""
    if data.day is None:
        raise MentoringError(N_("Give the date of the session."), field="day")
    if data.start is None:
        raise MentoringError(N_("Give the time the session started."), field="start")
    if data.minutes is None or not MIN_MINUTES <= data.minutes <= MAX_MINUTES:
        raise MentoringError(
            N_("A session lasts from %(min)d to %(max)d minutes."),
            field="minutes", min=MIN_MINUTES, max=MAX_MINUTES,
        )  # fmt: skip
    topic = (data.topic or "").strip()
    if not topic:
        raise MentoringError(N_("Give the topic of the session."), field="topic")
    if len(topic) > TOPIC_MAX:
        raise MentoringError(N_("Keep the topic to 200 characters or fewer."), field="topic")
    if len(data.notes or "") > NOTES_MAX:
        raise MentoringError(N_("Keep the notes to 20,000 characters or fewer."), field="notes")
    started = datetime.combine(data.day, data.start, ZoneInfo(zone))
    if started > utcnow():
        raise MentoringError(
            N_("A session can only be logged once it has taken place: this date is in the future."),
            field="day",
        )  # fmt: skip
    if data.day < mentorship.starts_on or (
        mentorship.ends_on is not None and data.day > mentorship.ends_on
    ):
        raise MentoringError(
            N_("The session must fall within the pairing's dates (%(start)s to %(end)s)."),
            field="day",
            start=mentorship.starts_on.isoformat(),
            end=mentorship.ends_on.isoformat() if mentorship.ends_on else "…",
        )
    return started


_OVERLAP = N_(
    "This session overlaps another one of this pairing (%(topic)s). Check the start time and "
    "the duration."
)


def _check_overlap(
    mentorship: Mentorship, started: datetime, minutes: int, except_id: int | None = None
) -> None:
    """One pairing cannot meet twice at once: every session but declined ones blocks its time
    (so the same hours cannot be counted twice by logging them again a minute later)."""
    end = started + timedelta(minutes=minutes)
    nearby = db.session.execute(
        select(MentoringSession.id, MentoringSession.started_at, MentoringSession.minutes,
               MentoringSession.topic)
        .where(
            MentoringSession.mentorship_id == mentorship.id,
            MentoringSession.status != DECLINED,
            MentoringSession.started_at < end,
            MentoringSession.started_at > started - timedelta(minutes=MAX_MINUTES),
        )
    ).all()  # fmt: skip
    for session_id, other_start, other_minutes, topic in nearby:
        if session_id == except_id or other_start == started:
            continue  # itself, or the same start (the unique key and a double click decide)
        if other_start + timedelta(minutes=other_minutes) > started:
            raise MentoringError(_OVERLAP, field="start", topic=topic)


def log_session(
    mentorship: Mentorship, user: User, data: SessionInput, *, zone: str
) -> MentoringSession:
    """Either side logs a meeting; it waits for the other side's confirmation."""
    if not is_participant(user, mentorship):
        raise NotAllowed()
    if not mentorship.active:
        raise PairingEnded()
    started = _started_at(mentorship, data, zone)
    _check_overlap(mentorship, started, data.minutes)
    notes = (data.notes or "").strip()
    session = MentoringSession(
        mentorship_id=mentorship.id,
        started_at=started,
        minutes=data.minutes,
        topic=data.topic.strip(),
        notes=notes,
        notes_html=render_markdown(notes) if notes else "",
        logged_by_id=user.id,
        status=PENDING,
    )
    try:
        with db.session.begin_nested():
            db.session.add(session)
    except IntegrityError:
        existing = _session_at(mentorship.id, started)
        if existing is None:
            raise
    else:
        other = mentorship.mentee_id if user.id == mentorship.mentor_id else mentorship.mentor_id
        notify(
            other, SESSION_LOGGED, pairing_path(mentorship.id, "sessions"),
            name=user.name, topic=session.topic,
        )  # fmt: skip
        return session
    same = (existing.logged_by_id, existing.minutes, existing.topic) == (
        user.id, session.minutes, session.topic,
    )  # fmt: skip
    if same and existing.status == PENDING:
        return existing  # a double click or a second tab: the session is logged once
    raise MentoringError(_SAME_START, field="start")


_SAME_START = N_("A session starting at this date and time is already logged for this pairing.")


def _session_at(mentorship_id: int, started: datetime) -> MentoringSession | None:
    return db.session.scalar(
        select(MentoringSession).where(
            MentoringSession.mentorship_id == mentorship_id,
            MentoringSession.started_at == started,
        )
    )


def _own_pending(session: MentoringSession, user: User) -> None:
    if session.logged_by_id != user.id:
        raise NotYourSession()
    if session.status != PENDING:
        raise AlreadyDecided()


def edit_session(session: MentoringSession, user: User, data: SessionInput, *, zone: str) -> None:
    """The logger changes their session while it waits; a decision made meanwhile wins."""
    _own_pending(session, user)
    mentorship = session.mentorship
    if not mentorship.active:
        raise PairingEnded()
    started = _started_at(mentorship, data, zone)
    _check_overlap(mentorship, started, data.minutes, except_id=session.id)
    notes = (data.notes or "").strip()
    try:
        with db.session.begin_nested():
            changed = db.session.execute(
                update(MentoringSession)
                .where(MentoringSession.id == session.id, MentoringSession.status == PENDING)
                .values(
                    started_at=started,
                    minutes=data.minutes,
                    topic=data.topic.strip(),
                    notes=notes,
                    notes_html=render_markdown(notes) if notes else "",
                )
            )
    except IntegrityError:
        raise MentoringError(_SAME_START, field="start") from None
    if changed.rowcount != 1:
        raise AlreadyDecided()
    db.session.refresh(session)


def delete_session(session: MentoringSession, user: User) -> None:
    _own_pending(session, user)
    deleted = db.session.execute(
        delete(MentoringSession).where(
            MentoringSession.id == session.id, MentoringSession.status == PENDING
        )
    )
    if deleted.rowcount != 1:
        raise AlreadyDecided()
    db.session.expunge(session)


def jp_of(minutes: int, jp_minutes: int) -> float:
    """The JP a confirmed session is worth: its minutes over the minutes of one JP."""
    return round(minutes / jp_minutes, 2)


@dataclass(frozen=True)
class SeenSession:
    """What the deciding side was shown: a confirmation holds only for the session as seen."""

    minutes: int
    started_at: datetime
    topic: str

    def token(self) -> str:
        return f"{self.minutes}|{self.started_at.isoformat()}|{self.topic}"

    @classmethod
    def of(cls, session: MentoringSession) -> SeenSession:
        return cls(session.minutes, session.started_at, session.topic)

    @classmethod
    def parse(cls, token: str | None) -> SeenSession | None:
        minutes, _, rest = (token or "").partition("|")
        started, _, topic = rest.partition("|")
        try:
            return cls(int(minutes), datetime.fromisoformat(started), topic)
        except ValueError:
            return None


def _decide(
    session: MentoringSession, user: User, values: dict, seen: SeenSession | None = None
) -> None:
    mentorship = session.mentorship
    if not is_participant(user, mentorship):
        raise NotAllowed()
    if session.logged_by_id == user.id:
        raise NotYourDecision()
    if session.status != PENDING:
        raise AlreadyDecided()
    # Conditional: of two clicks (or both tabs) only one finds the row still pending, and only
    # as the decider saw it (time, minutes, topic): an edit in between is never decided unseen.
    seen = seen or SeenSession.of(session)
    decided = db.session.execute(
        update(MentoringSession)
        .where(
            MentoringSession.id == session.id,
            MentoringSession.status == PENDING,
            MentoringSession.minutes == seen.minutes,
            MentoringSession.started_at == seen.started_at,
            MentoringSession.topic == seen.topic,
        )
        .values(decided_by_id=user.id, decided_at=utcnow(), **values)
    )
    if decided.rowcount != 1:
        db.session.refresh(session)
        raise AlreadyDecided() if session.status != PENDING else SessionChanged()
    db.session.refresh(session)
    kind = SESSION_CONFIRMED if session.status == CONFIRMED else SESSION_DECLINED
    notify(
        session.logged_by_id, kind, pairing_path(mentorship.id, "sessions"),
        name=user.name, topic=session.topic,
    )  # fmt: skip


def confirm_session(
    session: MentoringSession, user: User, *, jp_minutes: int, seen: SeenSession | None = None
) -> None:
    """Confirm the session the other side logged, as `seen` on the page (None: as it is now)."""
    minutes = seen.minutes if seen else session.minutes
    _decide(session, user, {"status": CONFIRMED, "jp": jp_of(minutes, jp_minutes)}, seen)


def decline_session(session: MentoringSession, user: User, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise MentoringError(N_("Say why you decline this session."), field="reason")
    if len(reason) > REASON_MAX:
        raise MentoringError(N_("Keep the reason to 500 characters or fewer."), field="reason")
    _decide(session, user, {"status": DECLINED, "decline_reason": reason})


def sessions_of(mentorship_id: int) -> list[MentoringSession]:
    """The pairing's sessions, latest meeting first."""
    return list(
        db.session.scalars(
            select(MentoringSession)
            .where(MentoringSession.mentorship_id == mentorship_id)
            .options(
                joinedload(MentoringSession.logged_by), joinedload(MentoringSession.decided_by)
            )
            .order_by(MentoringSession.started_at.desc(), MentoringSession.id.desc())
        )
    )


# --- course suggestions ------------------------------------------------------------------------


def published_courses() -> list[tuple[str, str]]:
    """(code, title) of the courses a mentor can suggest, by title."""
    return list(
        db.session.execute(
            select(Course.code, CourseVersion.title)
            .join(CourseVersion, CourseVersion.id == Course.current_version_id)
            .where(Course.archived.is_(False))
            .order_by(CourseVersion.title, Course.code)
        ).all()
    )


def suggest_course(mentorship: Mentorship, user: User, course_code: str, note: str) -> bool:
    """The mentor suggests a published course; again the same course only updates the note.

    Returns whether anything changed.
    """
    if not mentorship.active:
        raise PairingEnded()
    if not may_suggest(user, mentorship):
        raise OnlyMentor()
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise MentoringError(N_("Keep the note to 500 characters or fewer."), field="note")
    course = db.session.scalar(
        select(Course).where(
            Course.code == (course_code or "").strip(),
            Course.archived.is_(False),
            Course.current_version_id.is_not(None),
        )
    )
    if course is None:
        raise CourseNotAvailable(field="course")
    try:
        with db.session.begin_nested():
            db.session.add(
                CourseSuggestion(mentorship_id=mentorship.id, course_id=course.id, note=note)
            )
    except IntegrityError:
        pass  # suggested before (or by a double click): the unique constraint keeps one row
    else:
        notify(
            mentorship.mentee_id, COURSE_SUGGESTED, pairing_path(mentorship.id, "suggestions"),
            mentor=user.name, course=course.current_version.title,
        )  # fmt: skip
        return True
    changed = db.session.execute(
        update(CourseSuggestion)
        .where(
            CourseSuggestion.mentorship_id == mentorship.id,
            CourseSuggestion.course_id == course.id,
            CourseSuggestion.note != note,
        )
        .values(note=note)
    )
    return changed.rowcount == 1


@dataclass(frozen=True)
class SuggestionLine:
    code: str
    title: str
    jp: float
    note: str
    created_at: datetime


def suggestions_of(mentorship_id: int) -> list[SuggestionLine]:
    rows = db.session.execute(
        select(
            Course.code,
            CourseVersion.title,
            CourseVersion.jp,
            CourseSuggestion.note,
            CourseSuggestion.created_at,
        )
        .join(Course, Course.id == CourseSuggestion.course_id)
        .join(CourseVersion, CourseVersion.id == Course.current_version_id)
        .where(CourseSuggestion.mentorship_id == mentorship_id)
        .order_by(CourseSuggestion.created_at.desc(), CourseSuggestion.id.desc())
    )
    return [SuggestionLine(*row) for row in rows]


# --- HR: mentoring activity per unit -----------------------------------------------------------


@dataclass(frozen=True)
class ActivityFilter:
    """Calendar days in `zone`, `until` inclusive; the unit includes its sub-units."""

    since: date
    until: date
    unit_id: int | None = None
    zone: str = "Asia/Jakarta"

    @classmethod
    def this_year(cls, zone: str, unit_id: int | None = None) -> ActivityFilter:
        today = datetime.now(ZoneInfo(zone)).date()
        return cls(date(today.year, 1, 1), date(today.year, 12, 31), unit_id, zone)

    def bounds(self) -> tuple[datetime, datetime]:
        tz = ZoneInfo(self.zone)
        start = datetime.combine(self.since, time.min, tz)
        return start, datetime.combine(self.until + timedelta(days=1), time.min, tz)

    def describe(self) -> dict:
        described = {"since": self.since.isoformat(), "until": self.until.isoformat()}
        return {**described, **({"unit_id": self.unit_id} if self.unit_id else {})}


@dataclass
class UnitActivity:
    unit_id: int | None
    unit_code: str
    unit_name: str
    active_pairings: int = 0
    confirmed: int = 0
    pending: int = 0
    declined: int = 0
    confirmed_minutes: int = 0
    jp: float = 0.0

    @property
    def confirmed_hours(self) -> float:
        return round(self.confirmed_minutes / 60, 2)


@dataclass
class Activity:
    filter: ActivityFilter
    units: list[UnitActivity]
    total: UnitActivity


def activity_per_unit(f: ActivityFilter) -> Activity:
    """Per mentee's unit: pairings active in the period and the sessions held in it."""
    start, end = f.bounds()
    mentee = aliased(User)
    in_unit = [mentee.unit_id.in_(unit_and_descendants(f.unit_id))] if f.unit_id else []
    pairings = db.session.execute(
        select(mentee.unit_id, func.count(Mentorship.id))
        .join(mentee, mentee.id == Mentorship.mentee_id)
        .where(
            Mentorship.starts_on <= f.until,
            or_(Mentorship.ends_on.is_(None), Mentorship.ends_on >= f.since),
            or_(Mentorship.ended_at.is_(None), Mentorship.ended_at >= start),
            *in_unit,
        )
        .group_by(mentee.unit_id)
    ).all()
    s = MentoringSession
    sessions = db.session.execute(
        select(
            mentee.unit_id,
            func.count(s.id).filter(s.status == CONFIRMED),
            func.count(s.id).filter(s.status == PENDING),
            func.count(s.id).filter(s.status == DECLINED),
            func.coalesce(func.sum(s.minutes).filter(s.status == CONFIRMED), 0),
            func.coalesce(func.sum(s.jp).filter(s.status == CONFIRMED), 0.0),
        )
        .join(Mentorship, Mentorship.id == s.mentorship_id)
        .join(mentee, mentee.id == Mentorship.mentee_id)
        .where(s.started_at >= start, s.started_at < end, *in_unit)
        .group_by(mentee.unit_id)
    ).all()
    unit_ids = {row[0] for row in pairings} | {row[0] for row in sessions}
    names = {
        u.id: (u.code, u.name)
        for u in db.session.scalars(select(Unit).where(Unit.id.in_(unit_ids - {None})))
    }
    lines: dict[int | None, UnitActivity] = {}
    for unit_id in unit_ids:
        code, name = names.get(unit_id, ("", ""))
        lines[unit_id] = UnitActivity(unit_id, code, name)
    for unit_id, count in pairings:
        lines[unit_id].active_pairings = count
    for unit_id, confirmed, pending, declined, minutes, jp in sessions:
        line = lines[unit_id]
        line.confirmed, line.pending, line.declined = confirmed, pending, declined
        line.confirmed_minutes, line.jp = int(minutes), round(float(jp), 2)
    units = sorted(lines.values(), key=lambda u: (u.unit_id is None, u.unit_name.casefold()))
    total = UnitActivity(None, "", "")
    for u in units:
        total.active_pairings += u.active_pairings
        total.confirmed += u.confirmed
        total.pending += u.pending
        total.declined += u.declined
        total.confirmed_minutes += u.confirmed_minutes
        total.jp = round(total.jp + u.jp, 2)
    return Activity(f, units, total)


ACTIVITY_COLUMNS = (
    Column("unit_code", "Kode unit", 14),
    Column("unit_name", "Unit kerja", 40),
    Column("active_pairings", "Pasangan aktif", 14),
    Column("confirmed", "Sesi dikonfirmasi", 14),
    Column("pending", "Sesi menunggu", 14),
    Column("declined", "Sesi ditolak", 14),
    Column("hours", "Jam dikonfirmasi", 14),
    Column("jp", "JP", 10),
)
NO_UNIT = "(tanpa unit kerja)"


def activity_records(activity: Activity) -> list[dict]:
    return [
        {
            "unit_code": u.unit_code,
            "unit_name": u.unit_name or NO_UNIT,
            "active_pairings": u.active_pairings,
            "confirmed": u.confirmed,
            "pending": u.pending,
            "declined": u.declined,
            "hours": u.confirmed_hours,
            "jp": u.jp,
        }
        for u in activity.units
    ]


def export_activity(
    fmt: str, f: ActivityFilter, *, actor: str, channel: str, user_id: int | None
) -> tables.TableExport:
    """Mentoring activity per unit as CSV or XLSX, logged like every other export."""
    return tables.logged_table_export(
        fmt, report="mentoring-activity", log_name="mentoring",
        file_stem="aktivitas-mentoring", sheet="Aktivitas mentoring", columns=ACTIVITY_COLUMNS,
        records=activity_records(activity_per_unit(f)), filters=f.describe(),
        actor=actor, channel=channel, user_id=user_id,
    )  # fmt: skip
