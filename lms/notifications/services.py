"""Creating, listing and reading notifications, with the unread counter kept on the user row.

Other features call `notify(...)`; `notification_created` is where a deployment connects email.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from blinker import Namespace
from flask import current_app, has_app_context
from sqlalchemy import case, event, insert, select, update
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.clock import utcnow
from lms.content.problems import N_
from lms.errors import translate
from lms.extensions import db
from lms.notifications.models import Notification

PER_PAGE = 20

# Sent once the transaction that created a notification has committed (never for one rolled
# back), with `notification=` a NewNotification. No receiver is connected by default: a
# deployment that wants email connects one (see docs/deploy.md).
signals = Namespace()
notification_created = signals.signal("notification-created")

# kind -> English message template (marked with N_, translated when shown). Features add theirs
# with register_kind; a kind nobody registered still shows, with a general message.
KINDS: dict[str, str] = {}
GENERAL_MESSAGE = N_("You have a new notification.")


def register_kind(kind: str, template: str) -> None:
    """Name the message a kind of notification shows; `template` may use the params' names."""
    KINDS[kind] = template


@dataclass(frozen=True)
class NewNotification:
    """What a signal receiver gets: plain values, readable after the session has closed."""

    id: int
    user_id: int
    kind: str
    url: str
    params: dict = field(default_factory=dict)


def is_own_path(url: str) -> bool:
    """A path on this portal: no scheme, no host, no protocol-relative or backslash tricks."""
    if not url or "\\" in url or any(ord(c) < 32 for c in url):
        return False
    parts = urlsplit(url)
    return (
        not parts.scheme and not parts.netloc and url.startswith("/") and not url.startswith("//")
    )


def notify(user_id: int, kind: str, url: str, **params) -> Notification:
    """Tell one user something, in the app; the header's unread count goes up by one at once.

    `kind` names the message (see register_kind), `url` is the path on this portal the
    notification opens (a full address is refused: a notification never leads elsewhere), and
    `params` (JSON values) fill the message's placeholders. Flushes, does not commit: the
    notification exists only if the caller's transaction commits, and `notification_created`
    is sent after that commit.
    """
    if not is_own_path(url) or len(url) > 500:
        raise ValueError(f"a notification opens a path on this portal, not {url!r}")
    notification = Notification(user_id=user_id, kind=kind, url=url, params=params)
    db.session.add(notification)
    db.session.flush()
    # One atomic increment: two notifications created at once both count.
    db.session.execute(
        update(User)
        .where(User.id == user_id)
        .values(unread_notifications=User.unread_notifications + 1)
        .execution_options(synchronize_session=False)
    )
    _expire_counter(user_id)
    pending = db.session.info.setdefault("lms_new_notifications", [])
    pending.append(NewNotification(notification.id, user_id, kind, url, dict(params)))
    return notification


NOTIFY_CHUNK = 500  # rows per statement: well under every database's parameter limit


def notify_many(user_ids, kind: str, url: str, **params) -> int:
    """`notify` for many people at once (an assignment to a whole unit): a few statements per
    500 people instead of two per person. Returns how many were told."""
    if not is_own_path(url) or len(url) > 500:
        raise ValueError(f"a notification opens a path on this portal, not {url!r}")
    ids = sorted(set(user_ids))
    pending = db.session.info.setdefault("lms_new_notifications", [])
    now = utcnow()
    for start in range(0, len(ids), NOTIFY_CHUNK):
        chunk = ids[start : start + NOTIFY_CHUNK]
        created = db.session.execute(
            insert(Notification).returning(Notification.id, Notification.user_id),
            [
                {"user_id": u, "kind": kind, "url": url, "params": params, "created_at": now}
                for u in chunk
            ],
        ).all()
        db.session.execute(
            update(User)
            .where(User.id.in_(chunk))
            .values(unread_notifications=User.unread_notifications + 1)
            .execution_options(synchronize_session=False)
        )
        for notification_id, user_id in created:
            _expire_counter(user_id)
            pending.append(NewNotification(notification_id, user_id, kind, url, dict(params)))
    return len(ids)


def _expire_counter(user_id: int) -> None:
    """A User already loaded in this session reads the counter again from the database."""
    user = db.session.identity_map.get((User, (user_id,), None))
    if user is not None:
        db.session.expire(user, ["unread_notifications"])


@event.listens_for(Session, "after_commit")
def _announce(session: Session) -> None:
    pending = session.info.pop("lms_new_notifications", None)
    if not pending or not has_app_context():
        return
    app = current_app._get_current_object()
    for new in pending:
        notification_created.send(app, notification=new)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    # A rolled-back notification was never saved: nothing to announce.
    session.info.pop("lms_new_notifications", None)


def message(notification: Notification) -> str:
    """The notification's text in the current language."""
    template = KINDS.get(notification.kind, GENERAL_MESSAGE)
    try:
        return translate(template, notification.params or {})
    except (KeyError, TypeError, ValueError):  # params that no longer fit the template
        return translate(GENERAL_MESSAGE)


def page_for(user_id: int, page: int):
    """The user's notifications, newest first, one page at a time."""
    stmt = (
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    return db.paginate(stmt, page=page, per_page=PER_PAGE, error_out=False)


def _decrement(user_id: int, by: int) -> None:
    if by <= 0:
        return
    counter = User.unread_notifications
    db.session.execute(
        update(User)
        .where(User.id == user_id)
        .values(unread_notifications=case((counter >= by, counter - by), else_=0))
        .execution_options(synchronize_session=False)
    )
    _expire_counter(user_id)


def open_notification(user_id: int, notification_id: int) -> Notification | None:
    """Mark one of the user's notifications read and return it; None if it is not theirs."""
    notification = db.session.scalar(
        select(Notification).where(
            Notification.id == notification_id, Notification.user_id == user_id
        )
    )
    if notification is None:
        return None
    # Conditional, so two tabs opening it at once decrement the counter once.
    marked = db.session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    _decrement(user_id, marked.rowcount)
    db.session.expire(notification, ["read_at"])
    return notification


def mark_all_read(user_id: int) -> int:
    """Mark every unread notification of the user read; returns how many there were."""
    marked = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    _decrement(user_id, marked.rowcount)
    return marked.rowcount


def safe_target(notification: Notification) -> str:
    """Where opening the notification leads: its path, or the list if the path is not ours."""
    return notification.url if is_own_path(notification.url) else "/notifications"
