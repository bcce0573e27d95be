"""Staff accounts: sign-in, roles, the audit log and the `users` CLI.

Roles: admin (everything), organiser (workshops, results, exports), translator (the
translation editor). Passwords are hashed with scrypt; there is no default account.
"""

import datetime
import functools
import hmac

import click
from flask import Blueprint
from flask import abort
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import session as cookie_session
from flask import url_for
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlmodel import Session
from sqlmodel import delete
from sqlmodel import func
from sqlmodel import select
from werkzeug.security import check_password_hash
from werkzeug.security import generate_password_hash
from wtforms import EmailField
from wtforms import PasswordField
from wtforms.validators import DataRequired
from wtforms.validators import Length

from .db import get_engine
from .db import get_session
from .models import AuditEvent
from .models import LoginAttempt
from .models import User
from .models import utcnow

bp = Blueprint("accounts", __name__)

ROLES = ("admin", "organiser", "translator")
ROLE_NAMES = {"admin": _l("Administrator"), "organiser": _l("Organiser"), "translator": _l("Translator")}
MIN_PASSWORD_LENGTH = 10
MAX_FAILURES = 5
FAILURE_WINDOW = datetime.timedelta(minutes=15)


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


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def create_user(*, session: Session, email: str, password: str, role: str) -> User:
    """Create an account; raise ValueError for a bad role, a short password or a taken email."""
    email = email.strip().lower()
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if session.exec(select(User).where(User.email == email)).first():
        raise ValueError(f"an account for {email} exists already")
    user = User(email=email, password_hash=hash_password(password), role=role)
    session.add(user)
    session.commit()
    return user


def audit(action: str, actor: str | None = None, **detail) -> None:
    """Record who did what, in the request's session (committed with the action itself)."""
    if actor is None and g.get("user") is not None:
        actor = g.user.email
    get_session().add(AuditEvent(actor=actor, action=action, detail=detail))


def _session_stamp(user: User) -> str:
    """A fingerprint of the password hash: changing the password ends every open session."""
    return user.password_hash[-16:]


@bp.before_app_request
def load_user() -> None:
    g.user = None
    if request.endpoint == "asset":
        return  # the same files for everyone: reading the session would add Vary: Cookie
    user_id = cookie_session.get("user_id")
    if user_id is None:
        return
    user = get_session().get(User, user_id)
    if user and user.active and hmac.compare_digest(cookie_session.get("stamp", ""), _session_stamp(user)):
        g.user = user


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


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Please type an email address.")), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Please type a password.")), Length(max=500)])


def _too_many_failures(session: Session, keys: list[str]) -> bool:
    since = utcnow() - FAILURE_WINDOW
    counts = session.exec(
        select(func.count()).select_from(LoginAttempt)
        .where(LoginAttempt.key.in_(keys), LoginAttempt.at > since).group_by(LoginAttempt.key)
    ).all()
    return max(counts, default=0) >= MAX_FAILURES


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign staff in; repeated failures for an address or account are refused for a while."""
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        session = get_session()
        email = form.email.data.strip().lower()
        keys = [f"ip:{request.remote_addr}", f"email:{email}"]
        user = session.exec(select(User).where(User.email == email)).first()
        if _too_many_failures(session, keys):
            form.form_errors.append(_("Too many failed attempts. Please wait a few minutes and try again."))
            status = 429
        elif user and user.active and check_password_hash(user.password_hash, form.password.data):
            session.exec(delete(LoginAttempt).where(LoginAttempt.key == f"email:{email}"))
            user.last_login_at = utcnow()
            session.add(user)
            audit("login", actor=email)
            session.commit()
            cookie_session.clear()
            cookie_session.update(user_id=user.id, stamp=_session_stamp(user))
            cookie_session.permanent = True
            return redirect(_safe_next(request.args.get("next")) or url_for("accounts.home"))
        else:
            for key in keys:
                session.add(LoginAttempt(key=key))
            audit("login_failed", actor=email)
            session.commit()
            form.form_errors.append(_("The email or password is not right."))
            status = 401
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
def logout():
    if g.user is not None:
        audit("logout")
        get_session().commit()
    cookie_session.clear()
    flash(_("You have signed out."))
    return redirect(url_for("accounts.login"))


@bp.get("/staff")
@role_required("admin", "organiser", "translator")
def home():
    """The staff start page: links to what this account may use."""
    return render_template("accounts/home.html")


def _safe_next(target: str | None) -> str | None:
    """Only follow a local path after sign-in, never another site."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


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
