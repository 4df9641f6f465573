"""The stack floor for bench/pages.py: the stack the project was asked for, and nothing else.

Flask, Flask-Login and Flask-SQLAlchemy used as their documentation shows: a signed-in user kept
in Flask's session cookie and loaded with `db.session.get` on each request, from a SQLite file.
Its one page returns the saved module page as is. None of the portal's code runs here, so this is
what any signed-in page on this stack costs before it does anything of its own.
"""

import os
from pathlib import Path

from flask import Flask
from flask_login import LoginManager, UserMixin, login_required, login_user
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import Mapped, mapped_column

WORK = Path(os.environ["LMS_BENCH_WORK"])
HTML = Path(os.environ["LMS_BENCH_HTML"]).read_bytes()

app = Flask(__name__)
app.config.update(
    SECRET_KEY="bench-secret-key",  # noqa: S106 - a throwaway benchmark server
    SQLALCHEMY_DATABASE_URI=f"sqlite:///{WORK / 'stack.sqlite3'}",
)
db = SQLAlchemy(app)
login_manager = LoginManager(app)


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]


@login_manager.user_loader
def load_user(user_id: str):
    return db.session.get(User, int(user_id))


with app.app_context():
    db.create_all()
    if db.session.get(User, 1) is None:
        db.session.add(User(id=1, name="Learner"))
        db.session.commit()


@app.route("/healthz")
def healthz():
    return "ok"


@app.route("/sign-in")
def sign_in():
    login_user(db.session.get(User, 1))
    return "signed in"


@app.route("/courses/<code>/modules/<key>")
@login_required
def module(code: str, key: str):
    return HTML, 200, {"Content-Type": "text/html; charset=utf-8"}
