"""How values look on a page: dates in the user's zone and language, numbers, JP, categories.

Registered as Jinja filters and globals so templates never format by hand.
"""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app, g, has_request_context, request, session, url_for
from flask_babel import (
    format_date,
    format_decimal,
    format_time,
    get_locale,
    get_translations,
    gettext,
    to_user_timezone,
)
from flask_wtf.csrf import generate_csrf
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
    lookups, Flask-Babel's resolves the locale again for each one. A string without variables is
    looked up once per language and process (kept on the catalogue object Flask-Babel caches).
    """
    translations = _request_translations()
    if variables:
        return Markup(translations.ugettext(string)) % variables  # noqa: S704
    try:
        known = translations.lms_markup
    except AttributeError:
        known = translations.lms_markup = {}
    markup = known.get(string)
    if markup is None:
        markup = known[string] = Markup(translations.ugettext(string)) % {}  # noqa: S704
    return markup


def template_ngettext(singular: str, plural: str, num: int, **variables) -> Markup:
    variables.setdefault("num", num)
    translated = _request_translations().ungettext(singular, plural, num)
    return Markup(translated) % variables  # noqa: S704 - as template_gettext


MAX_REMEMBERED = 4096  # signed CSRF tokens and built links kept per process


def template_url_for(endpoint: str, **values) -> str:
    """`url_for` in templates; a link without arguments is built once per process and prefix.

    A page's menu links (the same on every page) cost a URL build each on every view otherwise.
    """
    if values or endpoint.startswith(".") or not has_request_context():
        return url_for(endpoint, **values)
    links = current_app.extensions.setdefault("lms_links", {})
    key = (request.script_root, endpoint)
    link = links.get(key)
    if link is None:
        if len(links) >= MAX_REMEMBERED:
            links.clear()
        link = links[key] = url_for(endpoint)
    return link


def template_csrf_token() -> str:
    """Flask-WTF's CSRF token for this session, signed once per session and process.

    Flask-WTF signs the session's token afresh on every page (about a sixth of rendering one).
    With WTF_CSRF_TIME_LIMIT None a signed token never expires, so the one signed first for a
    session is as good as a new one; it is set where Flask-WTF keeps the request's token, so
    forms rendered later on the page carry the same one.
    """
    field = current_app.config["WTF_CSRF_FIELD_NAME"]
    signed = g.get(field)
    if signed:
        return signed
    if current_app.config.get("WTF_CSRF_TIME_LIMIT") is not None:
        return generate_csrf()  # tokens expire: each page needs a freshly signed one
    tokens = current_app.extensions.setdefault("lms_csrf_tokens", {})
    raw = session.get(field)
    signed = tokens.get(raw) if raw else None
    if signed is None:
        signed = generate_csrf()
        if len(tokens) >= MAX_REMEMBERED:
            tokens.clear()
        tokens[session[field]] = signed
    setattr(g, field, signed)
    return signed


def register(app: Flask) -> None:
    app.jinja_env.globals.update(
        _=template_gettext,
        gettext=template_gettext,
        ngettext=template_ngettext,
        url_for=template_url_for,
        csrf_token=template_csrf_token,
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
            # Flask-WTF's own context processor puts its generate_csrf here; this one runs later.
            "csrf_token": template_csrf_token,
        }
