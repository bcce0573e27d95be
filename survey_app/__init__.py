"""An offline-first survey collector for workshops and orientation courses."""

import gc
import logging
import os

from flask import Flask
from flask import current_app
from flask import request
from flask_compress import Compress
from flask_wtf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

csrf = CSRFProtect()
compress = Compress()
log = logging.getLogger(__name__)

# {inline_styles}: the hash of the style sheet every page carries inline (assets.py).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' {inline_styles}; img-src 'self' data:; "
    # blob: lets the translation editor play back a recording before it is uploaded.
    "media-src 'self' blob:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "same-origin",
}


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: configuration, database, languages, blueprints, CLI."""
    from .config import from_environment

    _require_production_secret(test_config or {})
    instance_path = (test_config or {}).get("INSTANCE_PATH") or os.environ.get("SURVEY_INSTANCE_PATH")
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)

    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.config.from_mapping(from_environment(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    if app.config["SURVEY_PROXY_HOPS"]:
        hops = app.config["SURVEY_PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    from . import assets
    from . import caching
    from . import cli
    from . import db
    from . import forms_cli
    from . import i18n
    from .organisers.exports import export_command

    assets.init_app(app)
    db.init_app(app)
    i18n.init_app(app)
    cli.init_app(app)
    forms_cli.init_app(app)
    app.cli.add_command(export_command)
    csrf.init_app(app)
    compress.init_app(app)
    _register_blueprints(app)
    caching.init_app(app)
    _load_forms(app)
    app.extensions["survey_security_headers"] = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY.format(inline_styles=app.config["SURVEY_INLINE_STYLE_HASH"]),
        **SECURITY_HEADERS,
    }
    app.after_request(_security_headers)
    _freeze_startup_objects(app)
    return app


def _freeze_startup_objects(app: Flask) -> None:
    """Keep the objects made at start-up out of every later garbage collection.

    They live as long as the process, yet each full collection walks them all: about
    140,000 objects, 50-140 ms, triggered every few large sync batches. Tests build
    many apps in one process, so they keep the default.
    """
    if not app.testing:
        gc.collect()
        gc.freeze()


def _require_production_secret(test_config: dict) -> None:
    """Refuse to start a production server whose sessions any worker or restart would sign differently."""
    if os.environ.get("SURVEY_ENV") == "production" and not (
        os.environ.get("SURVEY_SECRET_KEY") or test_config.get("SECRET_KEY")
    ):
        raise RuntimeError("SURVEY_ENV=production but SURVEY_SECRET_KEY is not set: set it to a long random value "
                           "shared by every worker (python -c 'import secrets; print(secrets.token_hex(32))')")


def _register_blueprints(app: Flask) -> None:
    from . import accounts
    from . import health
    from . import tokens
    from .admin import bp as admin_bp
    from .api import bp as api_bp
    from .organisers import bp as organisers_bp
    from .participants import bp as participants_bp
    from .translators import bp as translators_bp

    accounts.init_app(app)
    tokens.init_app(app)
    app.register_blueprint(accounts.bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(organisers_bp)
    app.register_blueprint(participants_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(translators_bp)
    app.register_blueprint(health.bp)
    csrf.exempt(api_bp)
    csrf.exempt("survey_app.participants.form_page")


def _load_forms(app: Flask) -> None:
    """Publish changed questionnaires from the forms folder; a broken one never stops the app."""
    from sqlalchemy.exc import IntegrityError
    from sqlmodel import Session

    from .forms_store import load_forms_folder

    # Several workers start at once and may publish the same version together; the loser's
    # IntegrityError means another worker already did the work, so load again to see it.
    for attempt in range(3):
        try:
            with Session(app.extensions["survey_engine"]) as session:
                report = load_forms_folder(session=session, folder=app.config["SURVEY_FORMS_DIR"])
            break
        except IntegrityError:
            if attempt == 2:
                raise
            log.info("another worker published the same questionnaire first; loading again")
    for error in report.errors:
        log.error("questionnaire not loaded: %s", error)
    app.extensions["survey_form_errors"] = report.errors


def _security_headers(response):
    # A script or style sheet needs only nosniff; the others apply to documents and workers.
    headers = current_app.extensions["survey_security_headers"]
    names = ("X-Content-Type-Options",) if request.endpoint == "asset" else headers
    for name in names:
        response.headers.setdefault(name, headers[name])
    if request.is_secure and current_app.config["SURVEY_HSTS_MAX_AGE"]:
        response.headers.setdefault("Strict-Transport-Security", f"max-age={current_app.config['SURVEY_HSTS_MAX_AGE']}")
    return response
