"""How values look on a page: dates in the user's zone and language, numbers, JP, categories.

Registered as Jinja filters and globals so templates never format by hand.
"""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app, g
from flask_babel import (
    format_date,
    format_decimal,
    format_time,
    get_locale,
    get_translations,
    gettext,
    to_user_timezone,
)
from markupsafe import Markup

from lms.accounts.forms import ROLE_LABELS
from lms.competency.services import dictionary_names
from lms.content.vocabulary import CATEGORIES, competency_name
from lms.fragments import FragmentCache


def local_date(value: datetime | None) -> str:
    if value is None:
        return ""
    return format_date(to_user_timezone(value).date(), format="long")


def local_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    # The language's own date and clock: "23 November 2026 15.30", "November 23, 2026 3:30 PM".
    return f"{local_date(value)} {format_time(value, 'short')} {_zone_abbreviation(value)}"


def _zone_abbreviation(value: datetime) -> str:
    offset = to_user_timezone(value).utcoffset()
    hours = int(offset.total_seconds() // 3600) if offset is not None else 0
    return {7: "WIB", 8: "WITA", 9: "WIT"}.get(hours, f"UTC{hours:+d}")


def number(value, digits: int = 1) -> str:
    if value is None:
        return "–"
    fmt = "#,##0" if digits == 0 else "#,##0." + "#" * digits
    return format_decimal(value, format=fmt)


def percent(value) -> str:
    return number(value, 1) + "%"


def category_name(code: str) -> str:
    return gettext(CATEGORIES.get(code, code))


def competency_label(code: str) -> str:
    """A competency's name: the dictionary's (where HR adds technical ones), else the built-in
    name, else the code. The dictionary is read once per request that names a competency."""
    names = g.get("_lms_competency_names")
    if names is None:
        names = g._lms_competency_names = dictionary_names()
    return names.get(code) or competency_name(code)


def _request_translations():
    """The request's translations, looked up once instead of once per string."""
    translations = g.get("_lms_translations")
    if translations is None:
        translations = g._lms_translations = get_translations()
    return translations


def template_gettext(string: str, **variables) -> Markup:
    """`_()` and `gettext()` in templates, as Jinja's new-style gettext does them for HTML.

    The translation is trusted markup and the variables are escaped into it. A plain function,
    the request's translations looked up once: Jinja's own wraps each string in three context
    lookups, Flask-Babel's resolves the locale again for each one.
    """
    return Markup(_request_translations().ugettext(string)) % variables  # noqa: S704


def template_ngettext(singular: str, plural: str, num: int, **variables) -> Markup:
    variables.setdefault("num", num)
    translated = _request_translations().ungettext(singular, plural, num)
    return Markup(translated) % variables  # noqa: S704 - as template_gettext


def register(app: Flask) -> None:
    app.jinja_env.globals.update(
        _=template_gettext,
        gettext=template_gettext,
        ngettext=template_ngettext,
    )
    app.jinja_env.add_extension(FragmentCache)
    app.add_template_filter(local_date, "date")
    app.add_template_filter(local_datetime, "datetime")
    app.add_template_filter(number, "number")
    app.add_template_filter(percent, "percent")
    app.add_template_filter(category_name, "category_name")
    app.add_template_filter(competency_label, "competency_name")

    @app.context_processor
    def portal_globals():
        return {
            "portal_name": current_app.config["LMS_PORTAL_NAME"],
            "jp_target": current_app.config["LMS_JP_TARGET"],
            "current_locale": str(get_locale()),
            "categories": CATEGORIES,
            "role_labels": ROLE_LABELS,
        }
