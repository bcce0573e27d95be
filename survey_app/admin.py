"""Admin pages: staff accounts, sync tokens and the audit log. Every change is audited.

    GET       /admin/users                    users
    GET, POST /admin/users/new                new_user
    GET       /admin/users/<id>               user
    POST      /admin/users/<id>/role          change_role
    POST      /admin/users/<id>/active        toggle_active
    POST      /admin/users/<id>/password      reset_password
    POST      /admin/users/<id>/unlock        unlock
    GET, POST /admin/tokens                   tokens
    POST      /admin/tokens/<id>/revoke       revoke_token
    GET       /admin/audit                    audit_log

No page ever shows a password or its hash; a new sync token is shown once, on the page
that answers its creation, and never again.
"""

from flask import Blueprint
from flask import abort
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlmodel import func
from sqlmodel import select
from wtforms import EmailField
from wtforms import PasswordField
from wtforms import SelectField
from wtforms import StringField
from wtforms import ValidationError
from wtforms.validators import EqualTo
from wtforms.validators import InputRequired
from wtforms.validators import Length

from . import login_throttle
from . import staff_sessions
from . import tokens as token_data
from .accounts import ROLE_NAMES
from .accounts import ROLES
from .accounts import audit
from .accounts import create_user
from .accounts import open_session
from .accounts import password_problem
from .accounts import plain_text
from .accounts import role_required
from .accounts import set_active
from .accounts import set_password
from .accounts import staff_link
from .config import INTERFACE_LANGUAGES
from .db import get_session
from .models import AuditEvent
from .models import SyncToken
from .models import User
from .paging import page_number

bp = Blueprint("admin", __name__, url_prefix="/admin")
AUDIT_PAGE_SIZE = 50



@bp.context_processor
def _interface_languages() -> dict:
    """Offer every interface language in the switcher of these pages."""
    return {"languages": INTERFACE_LANGUAGES}


staff_link("admin.users", _l("Staff accounts"), _l("Add staff, change roles, disable accounts, reset passwords."),
           ("admin",))
staff_link("admin.tokens", _l("Sync tokens"), _l("Let other servers send submissions here."), ("admin",))
staff_link("admin.audit_log", _l("Audit log"), _l("Who did what, and when."), ("admin",))


def _role_choices():
    return [(role, ROLE_NAMES.get(role, role)) for role in ROLES]


def _password_fields():
    """A new password typed twice; the rules are checked against the account's email."""
    return (
        PasswordField(_l("New password"), validators=[InputRequired(_l("Please type a password."))]),
        PasswordField(_l("The same password again"), validators=[
            InputRequired(_l("Please type the password again.")),
            EqualTo("password", message=_l("The two passwords are not the same."))]),
    )


def _check_password(password: str, email: str) -> None:
    problem = password_problem(password, email)
    if problem:
        raise ValidationError(problem)


class NewUserForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[
        InputRequired(_l("Please type an email address.")), Length(max=254),
        plain_text(_l("Please type an email address, for example name@example.org."))])
    role = SelectField(_l("Role"), choices=_role_choices)
    password, confirm = _password_fields()

    def validate_email(self, field):
        email = field.data.strip().lower()
        if "@" not in email.strip("@"):
            raise ValidationError(_("Please type an email address, for example name@example.org."))
        if get_session().exec(select(User).where(User.email == email)).first():
            raise ValidationError(_("There is an account for this email already."))

    def validate_password(self, field):
        _check_password(field.data, (self.email.data or "").strip().lower())


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=_role_choices)


class PasswordForm(FlaskForm):
    password, confirm = _password_fields()

    def __init__(self, *args, email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.account_email = email

    def validate_password(self, field):
        _check_password(field.data, self.account_email)


class TokenForm(FlaskForm):
    name = StringField(_l("Name"), description=_l("Which server or phone will use it, e.g. central-office."),
                       validators=[InputRequired(_l("Please give the token a name.")),
                                   Length(max=token_data.NAME_MAX_LENGTH),
                                   plain_text(_l("The name cannot hold tabs, line breaks or control characters."))])

    def validate_name(self, field):
        if token_data.active_token(session=get_session(), name=field.data):
            raise ValidationError(_("An active token has this name already."))


class ConfirmForm(FlaskForm):
    """Only a CSRF token: for buttons that post."""


@bp.get("/users")
@role_required("admin")
def users():
    """List staff accounts: email, role, whether active, last sign-in."""
    accounts = get_session().exec(select(User).order_by(User.email)).all()
    return render_template("admin/users.html", users=accounts, role_names=ROLE_NAMES)


@bp.route("/users/new", methods=["GET", "POST"])
@role_required("admin")
def new_user():
    """Create a staff account with a password the admin hands over in person."""
    form = NewUserForm()
    if form.validate_on_submit():
        session = get_session()
        email = form.email.data.strip().lower()
        audit("user_created", email=email, role=form.role.data)
        try:  # create_user commits the account together with the audit event above
            create_user(session=session, email=email, password=form.password.data, role=form.role.data)
        except ValueError:
            session.rollback()
            form.email.errors.append(_("There is an account for this email already."))
        else:
            flash(_("The account for %(email)s has been created.", email=email))
            return redirect(url_for(".users"))
    return render_template("admin/new_user.html", form=form)


@bp.get("/users/<int:user_id>")
@role_required("admin")
def user(user_id):
    """One account: its role, whether it may sign in, and a new password."""
    return _user_page(_account(user_id))


@bp.post("/users/<int:user_id>/role")
@role_required("admin")
def change_role(user_id):
    """Give an account another role; nobody changes their own, so an admin always remains."""
    account = _account(user_id)
    form = RoleForm()
    if account.id == g.user.id:
        flash(_("You cannot change your own role; ask another administrator."))
        return redirect(url_for(".user", user_id=account.id))
    if form.validate_on_submit():
        if form.role.data != account.role:
            audit("user_role_changed", email=account.email, old=account.role, new=form.role.data)
            account.role = form.role.data
            _save(account, _("The role of %(email)s is now %(role)s.", email=account.email,
                             role=ROLE_NAMES.get(account.role, account.role)))
        return redirect(url_for(".user", user_id=account.id))
    return _user_page(account, role_form=form)


@bp.post("/users/<int:user_id>/active")
@role_required("admin")
def toggle_active(user_id):
    """Disable an account (it is signed out at once) or enable it again."""
    account = _account(user_id)
    form = ConfirmForm()
    if account.id == g.user.id:
        flash(_("You cannot disable your own account."))
    elif form.validate_on_submit():
        set_active(session=get_session(), user=account, active=not account.active)
        audit("user_enabled" if account.active else "user_disabled", email=account.email)
        _save(account, _("%(email)s can sign in again.", email=account.email) if account.active
              else _("%(email)s can no longer sign in.", email=account.email))
    return redirect(url_for(".user", user_id=account.id))


@bp.post("/users/<int:user_id>/password")
@role_required("admin")
def reset_password(user_id):
    """Set a new password; the account's open sessions end with the old one."""
    account = _account(user_id)
    form = PasswordForm(email=account.email)
    if form.validate_on_submit():
        set_password(session=get_session(), user=account, password=form.password.data)
        if account.id == g.user.id:
            open_session(session=get_session(), user=account)  # every other browser is signed out
        audit("password_reset", email=account.email)
        _save(account, _("The password of %(email)s has been changed.", email=account.email))
        return redirect(url_for(".user", user_id=account.id))
    return _user_page(account, password_form=form)


@bp.post("/users/<int:user_id>/unlock")
@role_required("admin")
def unlock(user_id):
    """Forget an account's failed sign-ins, from every address, so its owner may try again at once."""
    account = _account(user_id)
    if ConfirmForm().validate_on_submit():
        login_throttle.unlock(session=get_session(), email=account.email)
        audit("user_unlocked", email=account.email)
        _save(account, _("%(email)s may try to sign in again at once.", email=account.email))
    return redirect(url_for(".user", user_id=account.id))


@bp.route("/tokens", methods=["GET", "POST"])
@role_required("admin")
def tokens():
    """List sync tokens and make new ones; a new token is shown on this answer only."""
    session = get_session()
    form = TokenForm()
    if form.validate_on_submit():
        token, secret = token_data.create_token(session=session, name=form.name.data, created_by=g.user.email)
        audit("token_created", name=token.name)
        session.commit()
        response = render_template("admin/token_created.html", token=token, secret=secret)
        return response, 200, {"Cache-Control": "no-store"}
    return render_template("admin/tokens.html", form=form, tokens=token_data.list_tokens(session=session),
                           revoke_form=ConfirmForm())


@bp.post("/tokens/<int:token_id>/revoke")
@role_required("admin")
def revoke_token(token_id):
    """Revoke a token: the server using it is refused from its next sync on."""
    session = get_session()
    token = session.get(SyncToken, token_id) or abort(404)
    if ConfirmForm().validate_on_submit() and token.revoked_at is None:
        token_data.revoke_token(session=session, token=token)
        audit("token_revoked", name=token.name)
        session.commit()
        flash(_("The token %(name)s has been revoked.", name=token.name))
    return redirect(url_for(".tokens"))


@bp.get("/audit")
@role_required("admin")
def audit_log():
    """The audit log, newest first, a page at a time, optionally one kind of action only."""
    session = get_session()
    action = request.args.get("action") or None
    if action and not action.isprintable():
        action = None  # no action has such a name, and PostgreSQL refuses to compare text holding NUL
    page = page_number()
    query = select(AuditEvent)
    counting = select(func.count()).select_from(AuditEvent)
    if action:
        query, counting = query.where(AuditEvent.action == action), counting.where(AuditEvent.action == action)
    total = session.exec(counting).one()
    pages = max((total + AUDIT_PAGE_SIZE - 1) // AUDIT_PAGE_SIZE, 1)
    page = min(page, pages)
    events = session.exec(query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
                          .offset((page - 1) * AUDIT_PAGE_SIZE).limit(AUDIT_PAGE_SIZE)).all()
    actions = session.exec(select(AuditEvent.action).distinct().order_by(AuditEvent.action)).all()
    return render_template("admin/audit.html", events=events, actions=actions, action=action,
                           page=page, pages=pages, total=total)


def _account(user_id: int) -> User:
    return get_session().get(User, user_id) or abort(404)


def _save(account: User, message: str) -> None:
    session = get_session()
    session.add(account)
    session.commit()
    flash(message)


def _user_page(account: User, role_form=None, password_form=None):
    session = get_session()
    return render_template(
        "admin/user.html", account=account, role_names=ROLE_NAMES,
        role_form=role_form or RoleForm(formdata=None, role=account.role),
        password_form=password_form or PasswordForm(formdata=None), active_form=ConfirmForm(formdata=None),
        failures=login_throttle.recent_failures(session=session, email=account.email),
        open_sessions=staff_sessions.count_open(session=session, user=account),
    )
