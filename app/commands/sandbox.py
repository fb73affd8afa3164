"""`flask --app wsgi wechat-sandbox --port N`: the fake WeChat server (app/wechat/sandbox), in the foreground.

    flask --app wsgi wechat-sandbox --port 9100 --corp-id wwdemo --corp-secret demo-secret --members 200
    # then point the API and the worker at it:
    export WECHAT_WORK_API_BASE=http://127.0.0.1:9100/qyapi/cgi-bin/ WECHAT_API_BASE=http://127.0.0.1:9100/api/ \
           WECHAT_OPEN_BASE=http://127.0.0.1:9100/open/
"""

import click

from app.wechat.sandbox import seed
from app.wechat.sandbox.server import SandboxServer


@click.command("wechat-sandbox")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=9100, show_default=True, type=int)
@click.option("--corp-id", default=None, help="seed a WeChat Work corp with this corp id")
@click.option("--corp-secret", default="sandbox-contacts-secret", show_default=True, help="its 通讯录同步 secret")
@click.option("--departments", default=10, show_default=True, type=int, help="departments, the root included")
@click.option("--members", default=50, show_default=True, type=int)
@click.option("--agent", "agents", multiple=True, help="an agent as AGENTID:SECRET[:NAME] (repeatable)")
def wechat_sandbox(host, port, corp_id, corp_secret, departments, members, agents):
    """Serve the WeChat sandbox (state in memory; the driver API is under /sandbox/)."""
    server = SandboxServer(host, port)
    if corp_id:
        corp = seed.build_corp(corp_id, corp_secret, departments=departments, members=members)
        for spec in agents:
            agentid, secret, *name = spec.split(":")
            seed.add_agent(corp, int(agentid), secret, name[0] if name else f"应用{agentid}")
        server.state.corps[corp.corpid] = corp
        click.echo(f"seeded corp {corp_id}: {len(corp.departments)} departments, {len(corp.members)} members")
    for key, value in server.config().items():
        click.echo(f"export {key}={value}")
    click.echo(f"WeChat sandbox on {server.url} (driver API: {server.url}/sandbox/)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server.server_close()


COMMANDS = [wechat_sandbox]
