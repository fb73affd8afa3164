"""Blueprints; the folder tree mirrors the URL tree."""


def register_blueprints(app):
    from app.api.admin import admin_bp
    from app.api.docs import docs_bp
    from app.api.health import health_bp
    from app.api.public import public_bp

    for bp in (admin_bp, public_bp, health_bp, docs_bp):
        app.register_blueprint(bp)
