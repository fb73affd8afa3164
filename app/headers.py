"""Headers every response carries, and the Content-Security-Policy of the uploaded statics (docs/security.md).

The Swagger UI page at /docs sets its own policy (app/api/docs.py)."""

from flask import Flask, request

# An uploaded file opened directly is shown as an inert document: nothing in it runs or loads.
STATICS_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


# On every response (app/fastpath.py adds them to the answers it gives without Flask).
EVERY_RESPONSE = (("X-Content-Type-Options", "nosniff"),)


def register_security_headers(app: Flask) -> None:
    statics_prefix = (app.static_url_path or "/statics").rstrip("/") + "/"

    @app.after_request
    def security_headers(response):
        for name, value in EVERY_RESPONSE:
            response.headers[name] = value
        if request.path.startswith(statics_prefix):
            response.headers["Content-Security-Policy"] = STATICS_CSP
        return response
