"""QR code images kept in the statics store and returned as the 'statics/…' paths the document shows."""

import secrets
from io import BytesIO

import qrcode

from app import storage
from app.timefmt import to_local, utcnow

ADMIN_QRCODE_DIR = "zhugeleida/imgs/admin/qrcode"


def save_qr_image(content: str, folder: str, stem: str) -> str:
    """Encode `content` as a JPEG under `folder`; returns 'statics/<folder>/<stem>_<rand>_qrCode.jpg' (or its URL).

    `stem` is built by the server (never from client input); a random part keeps two codes made in the
    same second apart.
    """
    name = f"{stem}_{secrets.token_hex(3)}_qrCode.jpg"
    image = qrcode.make(content, border=2).get_image().convert("RGB")
    out = BytesIO()
    image.save(out, format="JPEG", quality=90)
    return storage.save_public(f"{folder}/{name}", out.getvalue())


def admin_invite_qr(admin_id: int, url: str) -> str:
    """1.8: e.g. statics/zhugeleida/imgs/admin/qrcode/admin_uid_1_20180917_211532_3fa2c1_qrCode.jpg."""
    stamp = to_local(utcnow()).strftime("%Y%m%d_%H%M%S")
    return save_qr_image(url, ADMIN_QRCODE_DIR, f"admin_uid_{admin_id}_{stamp}")
