"""Blueprints; the folder tree mirrors the URL tree."""


def register_blueprints(app):
    from app.api.admin import admin_bp
    from app.api.docs import docs_bp
    from app.api.gongzhonghao import gongzhonghao_bp
    from app.api.health import health_bp
    from app.api.open_weixin import open_weixin_bp
    from app.api.public import public_bp
    from app.api.qiyeweixin import qiyeweixin_bp

    for bp in (admin_bp, public_bp, gongzhonghao_bp, qiyeweixin_bp, open_weixin_bp, health_bp, docs_bp):
        app.register_blueprint(bp)
    from app.api.console import console_bp, h5_bp  # the operator console at /console/, the H5 pages at /h5/

    app.register_blueprint(console_bp)
    app.register_blueprint(h5_bp)
