"""Start the survey server: `python run.py` on 127.0.0.1:5000, `--host 0.0.0.0` for a workshop's Wi-Fi.

The laptop serves with a production WSGI server that also runs on Windows: waitress for HTTP,
and cheroot (CherryPy's server, with Python's own ssl module) for HTTPS, which waitress lacks.
`--debug` alone uses Flask's development server, for its reloader.
"""

import argparse
from pathlib import Path

from survey_app import create_app

THREADS = 16  # phones of a whole room posting at once; each request is short


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
    tls = None
    if args.cert:
        tls = (str(args.cert), str(args.key))
    elif args.https:
        from survey_app.tls import ensure_certificate

        names = {args.host} if args.host not in ("0.0.0.0", "::") else set()  # noqa: S104 - a name, not a bind
        cert, key = ensure_certificate(Path(app.instance_path) / "tls", names)
        tls = (str(cert), str(key))
        print(f"HTTPS with a self-signed certificate ({cert}); phones will warn once.")
    if args.debug:
        app.run(host=args.host, port=args.port, debug=True, threaded=True, ssl_context=tls)
    elif tls:
        serve_https(app, args.host, args.port, *tls)
    else:
        import waitress

        print(f"Serving on http://{display_host(args.host)}:{args.port}/ (Ctrl+C to stop)", flush=True)
        waitress.serve(app, host=args.host, port=args.port, threads=THREADS, ident="survey")


def serve_https(app, host: str, port: int, cert: str, key: str) -> None:
    """Serve HTTPS with cheroot's built-in TLS adapter until Ctrl+C."""
    from cheroot.ssl.builtin import BuiltinSSLAdapter
    from cheroot.wsgi import Server

    server = Server((host, port), app, numthreads=THREADS, server_name="survey")
    server.ssl_adapter = BuiltinSSLAdapter(cert, key)
    print(f"Serving on https://{display_host(host)}:{port}/ (Ctrl+C to stop)", flush=True)
    try:
        server.start()
    except KeyboardInterrupt:
        server.stop()


def display_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


if __name__ == "__main__":
    main()
