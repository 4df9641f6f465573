"""The `flask lms ...` commands: check and import courses, create users, seed the demo.

Thin: each command parses its options, calls a service, commits once and reports.
"""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from lms.accounts import services as accounts
from lms.accounts.models import ROLES
from lms.api import services as api
from lms.catalog import services as catalog
from lms.competency import services as competency
from lms.content.package import read_packages
from lms.content.problems import PackageInvalid
from lms.extensions import db

lms_cli = AppGroup("lms", help="Portal administration commands.")


@lms_cli.command("check-courses")
@click.argument("path", type=click.Path(exists=True, file_okay=False))
def check_courses(path: str) -> None:
    """Validate course packages under PATH; print every problem with file and line.

    Competency codes are checked against the competency dictionary in the database; without a
    migrated database only their shape is checked, and the command says so.
    """
    try:
        known = competency.known_codes()
    except SQLAlchemyError:
        db.session.rollback()
        known = None
        click.echo(
            "No competency dictionary in the database (run `flask --app app db upgrade`): "
            "only the shape of competency codes is checked.",
            err=True,
        )
    packages, problems = read_packages(path, known_competencies=known)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(f"{len(problems)} problem(s) found.", err=True)
        sys.exit(1)
    for p in packages:
        click.echo(
            f"ok  {p.code}  {p.title}  ({len(p.modules)} modules, "
            f"{len(p.quiz['questions'])} questions, "
            + (f"pre-test {len(p.pretest['questions'])} questions, " if p.pretest else "")
            + f"{p.jp:g} JP)"
        )


@lms_cli.command("import-courses")
@click.argument("path", type=click.Path(exists=True, file_okay=False))
@click.option("--note", default=None, help="A note stored with each new version.")
def import_courses(path: str, note: str | None) -> None:
    """Import the course folder PATH, or every course folder in it, atomically."""
    try:
        outcomes = catalog.import_path(path, note=note)
    except PackageInvalid as exc:
        db.session.rollback()
        for problem in exc.problems:
            click.echo(str(problem))
        click.echo(f"{len(exc.problems)} problem(s) found; nothing was imported.", err=True)
        sys.exit(1)
    db.session.commit()
    for o in outcomes:
        state = (
            f"new version {o.version_number}"
            if o.created
            else f"unchanged (version {o.version_number})"
        )
        click.echo(f"{o.code}: {state}")


@lms_cli.command("create-user")
@click.option("--login", required=True, help="18-digit NIP, or a username for non-ASN staff.")
@click.option("--name", required=True)
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLES))
@click.option("--unit", default=None, help="Unit code or name; created when it does not exist.")
@click.option("--email", default=None)
@click.option("--jabatan", default=None)
@click.option("--password", default=None, help="Prompted for (hidden) when not given.")
def create_user(login, name, roles, unit, email, jabatan, password) -> None:
    """Create an account from the shell."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    unit_obj = accounts.find_unit(unit)
    if unit and unit_obj is None:
        unit_obj = accounts.ensure_unit(_unit_code(unit), unit)
        click.echo(f"Created unit {unit_obj.code} ({unit_obj.name}).")
    try:
        user = accounts.create_user(
            login=login, name=name, password=password, roles=list(roles),
            email=email, unit=unit_obj, jabatan=jabatan,
        )  # fmt: skip
    except accounts.InvalidAccountData as exc:
        db.session.rollback()
        raise click.ClickException(f"{exc.field}: {exc}") from None
    db.session.commit()
    click.echo(f"Created {user.login} ({user.name}) with roles {', '.join(sorted(user.roles))}.")


def _unit_code(name: str) -> str:
    letters = "".join(c if c.isalnum() else "-" for c in name.upper()).strip("-")
    return "-".join(filter(None, letters.split("-")))[:40] or "UNIT"


@lms_cli.command("seed-demo")
def seed_demo() -> None:
    """Create demo units and the four demo accounts (skips those that exist)."""
    from lms.demo import DEMO_ACCOUNTS, seed

    created = seed()
    db.session.commit()
    click.echo("Demo accounts (login / password):")
    for account in DEMO_ACCOUNTS:
        mark = "created" if account["login"] in created else "exists"
        click.echo(
            f"  {account['label']:<12} {account['login']:<20} {account['password']}  [{mark}]"
        )


@lms_cli.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Replace PATH when it exists.")
def backup(path: str, force: bool) -> None:
    """Write a consistent backup of the database to the file PATH, while the portal runs."""
    from lms.backup import BackupError, backup_database

    try:
        result = backup_database(db.engine, path, force=force)
    except BackupError as exc:
        click.echo(f"Backup failed: {exc}", err=True)
        sys.exit(1)
    _echo_row_counts(result)
    click.echo(
        f"Backed up to {result.path} ({_size(result.bytes)}): "
        f"{result.tables} tables, {result.rows} rows."
    )


@lms_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore(path: str, yes: bool) -> None:
    """Replace ALL data in the database with the backup file PATH."""
    from lms.backup import BackupError, restore_database

    database = db.engine.url.render_as_string(hide_password=True)
    if not yes:
        click.confirm(f"Replace all data in {database} with {path}?", abort=True)
    db.session.remove()
    db.engine.dispose()  # no pooled connection may hold the database during the restore
    try:
        result = restore_database(db.engine, path)
    except BackupError as exc:
        click.echo(f"Restore failed: {exc}", err=True)
        sys.exit(1)
    if result.safety_copy:
        click.echo(f"The database as it was before is kept in {result.safety_copy}.")
    _echo_row_counts(result)
    click.echo(
        f"Restored {result.path} ({_size(result.bytes)}): "
        f"{result.tables} tables, {result.rows} rows."
    )


def _echo_row_counts(result) -> None:
    counts = result.row_counts
    width = max((len(name) for name in counts), default=0)
    for name, rows in counts.items():
        click.echo(f"  {name:<{width}}  {rows:>8}")
    if result.revision:
        click.echo(f"Schema revision: {result.revision}")


def _size(n: int) -> str:
    size, unit = float(n), "bytes"
    for bigger in ("KB", "MB", "GB"):
        if size < 1024:
            break
        size, unit = size / 1024, bigger
    return f"{n} bytes" if unit == "bytes" else f"{size:.1f} {unit}"


@lms_cli.command("export-completions")
@click.option(
    "--format", "fmt", required=True,
    type=click.Choice(["csv", "csv-semicolon", "xlsx", "json", "xapi", "siasn"]),
)  # fmt: skip
@click.option(
    "--since", type=click.DateTime(["%Y-%m-%d"]), help="First day (YYYY-MM-DD), local time."
)
@click.option(
    "--until", type=click.DateTime(["%Y-%m-%d"]), help="Last day (YYYY-MM-DD), inclusive."
)
@click.option("--unit", default=None, help="Unit code or name; its sub-units are included.")
@click.option("--course", default=None, help="Course code.")
@click.option(
    "--output", type=click.Path(dir_okay=False, writable=True), help="File (default: stdout)."
)
@click.option("--portal-url", default=None, help="The portal's public URL, for xAPI ids.")
def export_completions(fmt, since, until, unit, course, output, portal_url) -> None:
    """Export completion records exactly as the report page does (and log the export)."""
    import getpass

    from flask import current_app

    from lms.reports.queries import CompletionFilter
    from lms.reports.services import start_export

    unit_obj = accounts.find_unit(unit) if unit else None
    if unit and unit_obj is None:
        raise click.ClickException(f"unknown unit: {unit}")
    f = CompletionFilter(
        since=since.date() if since else None,
        until=until.date() if until else None,
        unit_id=unit_obj.id if unit_obj else None,
        course_code=course,
        zone=current_app.config["BABEL_DEFAULT_TIMEZONE"],
    )
    started = start_export(
        fmt, f, actor=f"cli:{getpass.getuser()}", channel="cli", user_id=None,
        portal_url=(portal_url or current_app.config.get("LMS_PORTAL_URL") or "http://localhost").rstrip("/"),
        organiser=current_app.config["LMS_ORGANISER"],
    )  # fmt: skip
    db.session.commit()  # the audit entry first, as on the web
    target = open(output, "wb") if output else click.get_binary_stream("stdout")  # noqa: SIM115
    try:
        for chunk in started.body:
            target.write(chunk)
    finally:
        if output:
            target.close()
    if output:
        click.echo(f"{started.log.row_count} completion(s) written to {output}.", err=True)


@lms_cli.command("create-api-token")
@click.option("--name", required=True, help="The system that will use it, e.g. competency-profile.")
@click.option("--scope", "scopes", multiple=True, required=True, type=click.Choice(api.SCOPES))
def create_api_token(name: str, scopes: tuple[str, ...]) -> None:
    """Create an API token and print it once (the portal keeps only its SHA-256)."""
    try:
        token, secret = api.create_token(name, scopes)
    except api.InvalidTokenData as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"Created API token {token.name} with scopes {token.scopes}.", err=True)
    click.echo("Give it to the system now; it will not be shown again:", err=True)
    click.echo(secret)  # alone on stdout, so a script can capture it


@lms_cli.command("revoke-api-token")
@click.option("--name", required=True, help="Name of the active token to revoke.")
def revoke_api_token(name: str) -> None:
    """Revoke the active API token NAME: its next call is refused."""
    token = api.active_token_named(name)
    if token is None:
        raise click.ClickException(f"no active API token named {name!r}")
    api.revoke(token)
    db.session.commit()
    click.echo(f"Revoked API token {token.name} ({token.prefix}…).")
