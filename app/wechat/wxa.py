"""Mini-program code management through the platform (代小程序) and mini-program codes (docs/wechat.md).

Each function takes an `AuthorizerClient` (the mini-program's token) — or the `ComponentClient` for the template
library — and returns WeChat's data as plain values, or raises WeChatError. Services decide what it means.
"""

import io

from PIL import Image, UnidentifiedImageError

from app.wechat.component import AuthorizerClient, ComponentClient
from app.wechat.errors import SYSTEM_BUSY, WeChatError, documented_answer

NOT_AN_IMAGE_MSG = "微信返回的不是图片"


def image_bytes(result) -> bytes:
    """The image WeChat sent (raw bytes, `image/*`, one Pillow can read); a JSON answer with an errcode was
    already raised by wechatpy, anything else is refused rather than saved as a .jpg."""
    content_type = getattr(result, "headers", {}).get("Content-Type", "")
    if isinstance(result, dict) or not content_type.startswith("image/"):
        raise WeChatError(SYSTEM_BUSY, NOT_AN_IMAGE_MSG, network=True)
    try:
        Image.open(io.BytesIO(result.content)).verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise WeChatError(SYSTEM_BUSY, NOT_AN_IMAGE_MSG, network=True) from None
    return result.content


@documented_answer
def list_templates(component: ComponentClient) -> list[dict]:
    """wxa/gettemplatelist (GET, component token): every template of the platform's code library."""
    templates = component.wxa_get("wxa/gettemplatelist")["template_list"]
    if not isinstance(templates, list):
        raise TypeError("template_list")
    return templates


@documented_answer
def commit(client: AuthorizerClient, template_id: int, ext_json: str, user_version: str, user_desc: str) -> None:
    client.wxa.commit(template_id, ext_json, user_version, user_desc)


def trial_qrcode(client: AuthorizerClient) -> bytes:
    """The experience (体验) version's QR code image."""
    return image_bytes(client.wxa.get_qrcode())


@documented_answer
def pages(client: AuthorizerClient) -> list[str]:
    return [str(page) for page in client.wxa.get_page()]


@documented_answer
def categories(client: AuthorizerClient) -> list[dict]:
    return [dict(category) for category in client.wxa.get_category()]


@documented_answer
def submit_audit(client: AuthorizerClient, item_list: list[dict]) -> int:
    return int(client.wxa.submit_audit({"item_list": item_list})["auditid"])


@documented_answer
def latest_audit(client: AuthorizerClient) -> dict:
    """{auditid, status, reason, ...} of the newest submission (85058 when there is none)."""
    result = client.wxa.get_latest_audit_status()
    return {
        "auditid": int(result["auditid"]),
        "status": int(result["status"]),
        "reason": str(result.get("reason") or ""),
        "user_version": result.get("user_version"),
    }


@documented_answer
def undo_audit(client: AuthorizerClient) -> None:
    client.wxa.undo_code_audit()


@documented_answer
def release(client: AuthorizerClient) -> None:
    client.wxa.release()


@documented_answer
def revert_release(client: AuthorizerClient) -> None:
    client.wxa.revert_code_release()


def wxacode_unlimited(
    client: AuthorizerClient, scene: str, page: str, width: int, check_path: bool, env_version: str = "release"
) -> bytes:
    """wxa/getwxacodeunlimit (wechatpy's get_wxa_code_unlimited has neither check_path nor env_version: post
    the body ourselves)."""
    body = {"scene": scene, "page": page, "width": width, "check_path": check_path, "env_version": env_version}
    return image_bytes(client.wxa._post("wxa/getwxacodeunlimit", data=body))
