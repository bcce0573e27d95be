"""Staff accounts: sign-in, roles, the audit log and the `users` CLI.

Roles: admin (everything), organiser (workshops, results, exports), translator (the
translation editor). Passwords are hashed with scrypt; there is no default account.
Sessions are kept on the server (staff_sessions.py), failed sign-ins slowed down per
account and address (login_throttle.py), and passwords held to one set of rules (passwords.py).
"""

import functools
import unicodedata
from urllib.parse import urlsplit

import click
from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import session as cookie_session
from flask import url_for
from flask.cli import AppGroup
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from sqlmodel import Session
from sqlmodel import select
from werkzeug.urls import iri_to_uri
from wtforms import EmailField
from wtforms import PasswordField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import StopValidation

from . import login_throttle
from . import passwords
from . import staff_sessions
from .db import get_engine
from .db import get_session
from .models import AuditEvent
from .models import User
from .models import utcnow

bp = Blueprint("accounts", __name__)

ROLES = ("admin", "organiser", "translator")
ROLE_NAMES = {"admin": _l("Administrator"), "organiser": _l("Organiser"), "translator": _l("Translator")}


# (endpoint, title, description, roles): filled by each staff blueprint at import time.
STAFF_LINKS: list[tuple[str, str, str, tuple[str, ...]]] = []


def staff_link(endpoint: str, title, description, roles: tuple[str, ...]) -> None:
    """Offer a page on the staff start page to the roles that may use it."""
    if endpoint not in [link[0] for link in STAFF_LINKS]:
        STAFF_LINKS.append((endpoint, title, description, roles))


def _staff_links() -> list[dict]:
    user = g.get("user")
    if user is None:
        return []
    return [
        {"url": url_for(endpoint), "title": title, "description": description}
        for endpoint, title, description, roles in STAFF_LINKS
        if user.role == "admin" or user.role in roles
    ]


def password_problem(password: str, email: str) -> str | None:
    """Say in the reader's language why a password is refused, or None when it may be used."""
    code = passwords.problem(password, email)
    return str(passwords.PROBLEMS[code]) if code else None


def create_user(*, session: Session, email: str, password: str, role: str) -> User:
    """Create an account; raise ValueError for a bad role, a refused password or a taken email."""
    email = email.strip().lower()
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    with force_locale("en"):
        problem = password_problem(password, email)
    if problem:
        raise ValueError(problem)
    if session.exec(select(User).where(User.email == email)).first():
        raise ValueError(f"an account for {email} exists already")
    user = User(email=email, password_hash=passwords.hash_password(password), role=role)
    session.add(user)
    session.commit()
    return user


def audit(action: str, actor: str | None = None, **detail) -> None:
    """Record who did what, in the request's session (committed with the action itself)."""
    if actor is None and g.get("user") is not None:
        actor = g.user.email
    get_session().add(AuditEvent(actor=actor, action=action, detail=detail))


def set_password(*, session: Session, user: User, password: str) -> None:
    """Give an account a new password and end its open sessions (committed by the caller)."""
    user.password_hash = passwords.hash_password(password)
    session.add(user)
    staff_sessions.end_all(session=session, user=user)


def set_active(*, session: Session, user: User, active: bool) -> None:
    """Enable or disable an account; disabling ends its sessions, so enabling brings none back."""
    user.active = active
    session.add(user)
    if not active:
        staff_sessions.end_all(session=session, user=user)


@bp.before_app_request
def load_user() -> None:
    g.user = None
    if request.endpoint == "asset":
        return  # the same files for everyone: reading the session would add Vary: Cookie
    token = cookie_session.get("sid")
    if token is None:
        return
    g.user = staff_sessions.user_of(session=get_session(), token=token)
    if g.user is None:
        cookie_session.pop("sid")  # ended on the server: stop sending it


def role_required(*roles: str):
    """Let in signed-in users with one of these roles (admins always); others go to sign-in or get 403."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if g.user is None:
                return redirect(url_for("accounts.login", next=request.full_path))
            if g.user.role != "admin" and g.user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = roles or ("admin",)
        return wrapped

    return decorator


def plain_text(message):
    """A form validator refusing control characters: PostgreSQL cannot even compare text holding NUL.

    It stops the field's other checks, which may look the text up in the database.
    """

    def check(_form, field):
        if field.data and any(unicodedata.category(ch) == "Cc" for ch in field.data):
            raise StopValidation(message)

    return check


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[
        DataRequired(), Length(max=254), plain_text(_l("Please type an email address, for example name@example.org."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=500)])


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign staff in; repeated failures from one address at one account must wait longer and longer."""
    form = LoginForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        session = get_session()
        email = form.email.data.strip().lower()
        address = request.remote_addr
        user = session.exec(select(User).where(User.email == email)).first()
        wait = login_throttle.reserve(session=session, keys=login_throttle.keys_for(email, address, known=bool(user)))
        if wait:
            form.form_errors.append(ngettext(
                "Too many failed attempts from here. Please try again in %(num)d minute.",
                "Too many failed attempts from here. Please try again in %(num)d minutes.", -(-wait // 60)))
            status, headers = 429, {"Retry-After": str(wait)}
        # The password is checked (or a stand-in, just as slowly) whether or not the account exists.
        elif passwords.verify(user.password_hash if user else None, form.password.data) and user.active:
            return _signed_in(session, user, address)
        else:
            audit("login_failed", actor=email)
            session.commit()
            form.form_errors.append(_("The email or password is not right."))
            status = 401
    return render_template("accounts/login.html", form=form), status, headers


def _signed_in(session: Session, user: User, address: str | None):
    login_throttle.succeeded(session=session, email=user.email, address=address)
    user.last_login_at = utcnow()
    session.add(user)
    cookie_session.clear()  # nothing from before sign-in carries over
    open_session(session=session, user=user)
    audit("login", actor=user.email)
    session.commit()
    return redirect(_safe_next(request.args.get("next")) or url_for("accounts.home"))


def open_session(*, session: Session, user: User) -> None:
    """Sign this browser in to the account (committed by the caller)."""
    cookie_session["sid"] = staff_sessions.start(session=session, user=user,
                                                 lifetime=current_app.permanent_session_lifetime)
    cookie_session.permanent = True


@bp.post("/logout")
def logout():
    """Sign out: the session ends on the server, so a copy of the cookie opens nothing either."""
    session = get_session()
    staff_sessions.end(session=session, token=cookie_session.get("sid"))
    if g.user is not None:
        audit("logout")
    session.commit()
    cookie_session.clear()
    flash(_("You have signed out."))
    return redirect(url_for("accounts.login"))


@bp.get("/staff")
@role_required("admin", "organiser", "translator")
def home():
    """The staff start page: links to what this account may use."""
    return render_template("accounts/home.html")


def _safe_next(target: str | None) -> str | None:
    """Only follow a path on this site after sign-in, never another site.

    Browsers drop tabs and newlines from URLs and read a backslash as a slash, so
    "/\t/evil.example" would become "//evil.example": any control or space character
    other than a plain space, any backslash and any scheme or host refuse the target.
    """
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(unicodedata.category(ch)[0] in "CZ" and ch != " " for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return iri_to_uri(target)


users_cli = AppGroup("users", help="Manage staff accounts.")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True, help="what this account may do")
@click.password_option(help="asked for when not given; never shown")
def create_user_command(email, role, password):
    """Create a staff account (the first admin is made this way)."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            user = create_user(session=session, email=email, password=password, role=role)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
        session.add(AuditEvent(actor="cli", action="user_created", detail={"email": user.email, "role": role}))
        session.commit()
    click.echo(f"created {user.email} ({role})")


@users_cli.command("set-password")
@click.argument("email")
@click.password_option(help="asked for when not given; never shown")
def set_password_command(email, password):
    """Give an account a new password (same rules as the admin page); its open sessions end."""
    email = email.strip().lower()
    with Session(get_engine()) as session:
        user = session.exec(select(User).where(User.email == email)).first()
        if user is None:
            raise click.ClickException(f"there is no account for {email}")
        with force_locale("en"):
            problem = password_problem(password, email)
        if problem:
            raise click.ClickException(problem)
        set_password(session=session, user=user, password=password)
        session.add(AuditEvent(actor="cli", action="password_reset", detail={"email": email}))
        session.commit()
    click.echo(f"new password set for {email}; its open sessions have ended")


@users_cli.command("unlock")
@click.argument("email")
def unlock_user_command(email):
    """Forget an account's failed sign-ins from every address."""
    email = email.strip().lower()
    with Session(get_engine()) as session:
        login_throttle.unlock(session=session, email=email)
        session.add(AuditEvent(actor="cli", action="user_unlocked", detail={"email": email}))
        session.commit()
    click.echo(f"unlocked {email}")


@users_cli.command("list")
def list_users_command():
    """List staff accounts and their roles."""
    with Session(get_engine()) as session:
        for user in session.exec(select(User).order_by(User.email)):
            click.echo(f"{user.email}\t{user.role}\t{'active' if user.active else 'disabled'}")


def init_app(app) -> None:
    app.cli.add_command(users_cli)
    app.jinja_env.globals["ROLES"] = ROLES
    app.jinja_env.globals["ROLE_NAMES"] = ROLE_NAMES
    app.jinja_env.globals["staff_links"] = _staff_links
