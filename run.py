"""Start the survey server: `python run.py` on 127.0.0.1:5000, `--host 0.0.0.0` for a workshop's Wi-Fi."""

import argparse
from pathlib import Path

from survey_app import create_app


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Run the survey collector.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (0.0.0.0 for every network)")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--https", action="store_true",
                        help="serve HTTPS with a self-signed certificate kept in the instance folder")
    parser.add_argument("--cert", type=Path, help="certificate file (PEM) of a real certificate")
    parser.add_argument("--key", type=Path, help="private key file (PEM) for --cert")
    parser.add_argument("--debug", action="store_true", help="reload on code changes; never on a shared network")
    args = parser.parse_args(argv)
    if bool(args.cert) != bool(args.key):
        parser.error("--cert and --key go together")
    secure = args.https or bool(args.cert)
    app = create_app({"SESSION_COOKIE_SECURE": True} if secure else None)
    ssl_context = None
    if args.cert:
        ssl_context = (str(args.cert), str(args.key))
    elif args.https:
        from survey_app.tls import ensure_certificate

        names = {args.host} if args.host not in ("0.0.0.0", "::") else set()  # noqa: S104 - a name, not a bind
        cert, key = ensure_certificate(Path(app.instance_path) / "tls", names)
        ssl_context = (str(cert), str(key))
        print(f"HTTPS with a self-signed certificate ({cert}); phones will warn once.")
    app.run(host=args.host, port=args.port, debug=args.debug, threaded=True, ssl_context=ssl_context)


if __name__ == "__main__":
    main()
