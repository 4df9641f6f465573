"""Flask extensions, created once here and initialised in create_app.

Keeping them apart from the factory lets models and views import them without cycles.
"""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints so Alembic can alter them (SQLite batch mode needs names).
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


class ViewLimiter(Limiter):
    """Flask-Limiter for limits declared on views only (sign-in, the certificate check).

    Each `@limiter.limit` decorator checks its view's limits itself. The extension's check before
    every request looks for default and application-wide limits, which the portal does not set,
    and costs about a tenth of a page view; it is skipped.
    """

    def _check_request_limit(self, callable_name=None, in_middleware=True):
        if not in_middleware:
            super()._check_request_limit(callable_name, in_middleware)


# Limits are declared on the views that need them (sign-in); storage comes from LMS_REDIS_URL
# so that every worker and machine counts together (memory:// counts per process).
limiter = ViewLimiter(key_func=get_remote_address)
