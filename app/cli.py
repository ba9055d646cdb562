"""The CLI (`patrol`, or flask): seed demo, users create, labels print, sweeps, notify run."""

from __future__ import annotations

import os

import click
from flask import Flask, current_app
from sqlalchemy import select

from app.auth.models import ROLES, User
from app.auth.service import check_password_strength, hash_password
from app.errors import AppError
from app.extensions import db
from app.labels import service as labels
from app.places.models import Company, Department, Property


@click.group("seed", help="Load data into the database.")
def seed_group() -> None:
    """Load data into the database."""


@seed_group.command("demo")
@click.option(
    "--password",
    envvar="DEMO_PASSWORD",
    default=None,
    help="Password of the demo users (default: DEMO_PASSWORD or patrol-demo).",
)
@click.option(
    "--history",
    type=click.IntRange(0, 366),
    default=0,
    help="Also generate this many days of past patrols (once; with some misses and late visits).",
)
def seed_demo(password: str | None, history: int) -> None:
    """Load the demo property from seed/ (running it twice changes nothing)."""
    from seed.loader import load_demo

    password = password or current_app.config["DEMO_PASSWORD"]
    try:
        check_password_strength(password)
    except AppError as exc:
        raise click.BadParameter(exc.message_en, param_hint="--password") from None
    summary = load_demo(password)
    summary.update(_seed_plans(history))
    db.session.commit()
    click.echo("Demo property loaded: " + ", ".join(f"{k}={v}" for k, v in summary.items()))


def _seed_plans(history: int) -> dict[str, int]:
    """Load the demo's shifts and plans, the past patrols asked for, and today's slots."""
    from app.common.models import utcnow
    from app.plans.sweep import materialize
    from seed.history import generate_history
    from seed.plans import load_demo_plans, local_midnight

    now = utcnow()
    prop = db.session.scalar(select(Property).where(Property.code == "CH").order_by(Property.id))
    assert prop is not None
    counts = load_demo_plans(prop, local_midnight(prop, now))
    counts.update(generate_history(prop, history, now))
    counts["slots"] = materialize(now)
    return counts


@click.group("users", help="Manage users.")
def users_group() -> None:
    """Manage users."""


@users_group.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(list(ROLES)), required=True, help="The user's role.")
@click.option("--name", "display_name", default=None, help="Display name (default: username).")
@click.option(
    "--property",
    "property_codes",
    multiple=True,
    required=True,
    help="Code of a property to grant (repeat for several).",
)
@click.option("--department", default=None, help="Department code (required for staff).")
@click.password_option(help="The password (prompted when not given).")
def users_create(
    username: str,
    role: str,
    display_name: str | None,
    property_codes: tuple[str, ...],
    department: str | None,
    password: str,
) -> None:
    """Create a user with a role and granted properties."""
    try:
        check_password_strength(password)
    except AppError as exc:
        raise click.BadParameter(exc.message_en, param_hint="--password") from None
    if db.session.scalar(select(User).where(User.username == username)):
        raise click.BadParameter(f"user {username!r} already exists", param_hint="USERNAME")
    codes = {c.upper() for c in property_codes}
    props = list(db.session.scalars(select(Property).where(Property.code.in_(codes))))
    # Codes are unique within a company only: a code two companies share is ambiguous here.
    if len(props) != len(codes) or len({p.company_id for p in props}) != 1:
        raise click.BadParameter(
            "unknown property code, or codes of several companies", param_hint="--property"
        )
    dept = None
    if department:
        dept = db.session.scalar(
            select(Department).where(
                Department.code == department.upper(),
                Department.property_id.in_([p.id for p in props]),
            )
        )
        if dept is None:
            raise click.BadParameter("unknown department code", param_hint="--department")
    elif role == "staff":
        raise click.BadParameter("staff need a department", param_hint="--department")
    company = db.session.get(Company, props[0].company_id)
    assert company is not None
    user = User(
        username=username,
        display_name=display_name or username,
        role=role,
        company_id=company.id,
        password_hash=hash_password(password),
        department_id=dept.id if dept else None,
    )
    user.properties = props
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {role} {username} (id {user.id})")


@click.group("labels", help="Print QR labels.")
def labels_group() -> None:
    """Print QR labels."""


@labels_group.command("print")
@click.option("--zone", "zone_ref", required=True, help="Zone id or Chinese name (e.g. 3幢).")
@click.option("--property", "property_code", default=None, help="Property code, if names clash.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Where to write the A4 PDF (default: labels-<zone id>.pdf in the instance folder).",
)
@click.option(
    "--allow-localhost",
    is_flag=True,
    help="Print even though the labels point at this machine only (a one-computer trial).",
)
def labels_print(
    zone_ref: str, property_code: str | None, out: str | None, allow_localhost: bool
) -> None:
    """Write the A4 sheet of QR labels for a zone's active checkpoints."""
    address = labels.label_address()
    if address["warning"] and not allow_localhost:
        warning = address["warning"]
        raise click.ClickException(
            f"{warning['message_zh']}\n{warning['message_en']}\n"
            "例如 e.g. PUBLIC_BASE_URL=https://patrol.example.com, or HOST=0.0.0.0 "
            "(this machine's LAN address); --allow-localhost prints anyway."
        )
    try:
        zone = labels.zone_by_ref(zone_ref, property_code)
        checkpoints = labels.zone_checkpoints(zone)
        pdf = labels.render_labels(checkpoints)
    except AppError as exc:
        raise click.ClickException(f"{exc.message_zh} / {exc.message_en}") from None
    if out is None:
        folder = current_app.config["INSTANCE_DIR"]
        os.makedirs(folder, exist_ok=True)
        out = os.path.join(folder, f"labels-{zone.id}.pdf")
    with open(out, "wb") as fh:
        fh.write(pdf)
    click.echo(
        f"{len(checkpoints)} labels for {zone.name_zh} written to {out} "
        f"(they open {address['base_url']}/c/…)"
    )


@click.group("tickets", help="Ticket housekeeping.")
def tickets_group() -> None:
    """Ticket housekeeping."""


@tickets_group.command("sweep")
def tickets_sweep() -> None:
    """Escalate unaccepted tickets and mark overdue ones (idempotent; run every minute)."""
    from app.tickets.sweep import sweep

    counts = sweep()
    db.session.commit()
    click.echo(f"escalated={counts['escalated']} overdue={counts['overdue']}")


@click.group("plans", help="Patrol plans and their slots.")
def plans_group() -> None:
    """Patrol plans and their slots."""


@plans_group.command("sweep")
@click.option("--now", "now_text", default=None, help="Pretend it is this ISO time (testing).")
def plans_sweep(now_text: str | None) -> None:
    """Materialize slots, mark misses, remind and notify (idempotent; run every minute)."""
    from datetime import UTC, datetime

    from app.plans.sweep import sweep

    now = None
    if now_text:
        try:
            now = datetime.fromisoformat(now_text)
        except ValueError:
            raise click.BadParameter("use an ISO time", param_hint="--now") from None
        now = now if now.tzinfo else now.replace(tzinfo=UTC)
    counts = sweep(now)
    db.session.commit()
    click.echo(", ".join(f"{key}={value}" for key, value in counts.items()))


@click.group("notify", help="Send notifications from the outbox.")
def notify_group() -> None:
    """Send notifications from the outbox."""


@notify_group.command("run")
@click.option("--once", is_flag=True, help="Deliver what is due once, then exit (for cron).")
@click.option(
    "--limit",
    type=click.IntRange(1, 1000),
    default=50,
    show_default=True,
    help="Notifications claimed per pass.",
)
def notify_run(once: bool, limit: int) -> None:
    """Deliver due notifications every NOTIFY_POLL_SECONDS until interrupted, or once."""
    import time

    from sqlalchemy.exc import SQLAlchemyError

    from app.notify.worker import deliver_due

    try:
        while True:
            try:
                counts = deliver_due(limit=limit)
            except SQLAlchemyError:
                if once:
                    raise
                # A database restart must not end the worker; leased rows come back by themselves.
                current_app.logger.exception("notify run: database error, trying again")
                db.session.rollback()
                counts = {"claimed": 0}
            if once or counts["claimed"]:
                click.echo(", ".join(f"{key}={value}" for key, value in counts.items()))
            if once:
                return
            if counts["claimed"] < limit:  # a full batch means more may be waiting
                time.sleep(float(current_app.config["NOTIFY_POLL_SECONDS"]))
    except KeyboardInterrupt:
        click.echo("stopped")


def register(app: Flask) -> None:
    """Attach the command groups to the app."""
    app.cli.add_command(seed_group)
    app.cli.add_command(users_group)
    app.cli.add_command(labels_group)
    app.cli.add_command(notify_group)
    app.cli.add_command(tickets_group)
    app.cli.add_command(plans_group)


def patrol_group() -> click.Group:
    """Build the `patrol` command: the flask CLI with this app preloaded."""
    from flask.cli import FlaskGroup

    return FlaskGroup(
        name="patrol",
        create_app=_patrol_app,
        help="Patrol's commands (seed, users, labels, plans, tickets, notify, db), run with "
        "the server's configuration (DATABASE_URL, PATROL_ENV, ...).",
    )


def _patrol_app() -> Flask:
    from app import create_app

    app = create_app()
    # On stderr, so that output piped elsewhere stays clean: a CLI aimed at another
    # database than the server's shows it at once.
    line = f"patrol: database {masked_database_url(app)}"
    if not os.environ.get("SECRET_KEY") and not app.config.get("LABEL_SECRET"):
        # The development secret signs labels: one from another folder's file voids them.
        line += f"; labels signed with {os.path.join(app.instance_path, 'secret_key')}"
    click.echo(line, err=True)
    return app


def masked_database_url(app: Flask) -> str:
    """Return the app's database URL with any password replaced by ***."""
    from sqlalchemy.engine import make_url

    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    return url.render_as_string(hide_password=True)


def main() -> None:
    """Run the `patrol` console script."""
    patrol_group().main(prog_name="patrol")
