"""Sending SMS verification codes: a pluggable sender chosen by SMS_BACKEND (docs/security.md).

- "log" (development, tests): logs that a code went to a (masked) phone, never the code, and keeps the last
  messages in an in-process outbox (`OUTBOX`) that tests and a developer's shell can read.
- "tencent" (production): Tencent Cloud SMS through its official SDK (tencentcloud-sdk-python-sms), imported
  only when this backend is used; SMS_TENCENT_* settings name the account, app, signature and template.
"""

import logging
from collections import deque
from dataclasses import dataclass

from flask import current_app

from app.responses import ApiError, Code

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutboxMessage:
    phone: str
    code: str
    minutes: int


# The log backend's last messages, newest last (bounded: it is a development aid, not a store).
OUTBOX: deque[OutboxMessage] = deque(maxlen=100)


def mask(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"


class SmsError(ApiError):
    """The SMS provider refused or could not be reached: nothing was sent (500, with the provider's code)."""

    def __init__(self, detail: str):
        super().__init__(Code.SERVER_ERROR, f"验证码短信发送失败，请稍后重试（{detail}）")


def _send_log(phone: str, code: str, minutes: int) -> None:
    OUTBOX.append(OutboxMessage(phone, code, minutes))
    log.info("SMS verification code sent (log backend)", extra={"phone": mask(phone)})


def _send_tencent(phone: str, code: str, minutes: int) -> None:
    from tencentcloud.common import credential
    from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile
    from tencentcloud.sms.v20210111 import models, sms_client

    config = current_app.config
    missing = [name for name in TENCENT_SETTINGS if not config.get(name)]
    if missing:  # a production without SMS credentials: a clear refusal, never the SDK's exception (a 500)
        log.error("SMS backend tencent is not configured", extra={"missing": missing})
        raise SmsError("短信服务未配置")
    # Another host than the SDK's own (a test double): "http://host:port" or "host".
    scheme, _, host = config["SMS_TENCENT_ENDPOINT"].rpartition("://")
    http = HttpProfile(protocol=scheme or "https", endpoint=host or None, reqTimeout=int(config["WECHAT_TIMEOUT"]))
    request = models.SendSmsRequest()
    request.SmsSdkAppId = config["SMS_TENCENT_SDK_APP_ID"]
    request.SignName = config["SMS_TENCENT_SIGN_NAME"]
    request.TemplateId = config["SMS_TENCENT_TEMPLATE_ID"]
    request.TemplateParamSet = [code, str(minutes)]
    request.PhoneNumberSet = ["+86" + phone]
    try:
        client = sms_client.SmsClient(
            credential.Credential(config["SMS_TENCENT_SECRET_ID"], config["SMS_TENCENT_SECRET_KEY"]),
            config["SMS_TENCENT_REGION"],
            ClientProfile(httpProfile=http),
        )
        response = client.SendSms(request)
    except TencentCloudSDKException as err:
        log.warning("SMS send failed", extra={"phone": mask(phone), "error": err.get_code()})
        raise SmsError(err.get_code() or "network") from None
    status = (response.SendStatusSet or [None])[0]
    if status is None or status.Code != "Ok":
        detail = status.Code if status is not None else "no status"
        log.warning("SMS send refused", extra={"phone": mask(phone), "error": detail})
        raise SmsError(detail)
    log.info("SMS verification code sent", extra={"phone": mask(phone)})


BACKENDS = {"log": _send_log, "tencent": _send_tencent}
TENCENT_SETTINGS = (
    "SMS_TENCENT_SECRET_ID",
    "SMS_TENCENT_SECRET_KEY",
    "SMS_TENCENT_SDK_APP_ID",
    "SMS_TENCENT_SIGN_NAME",
    "SMS_TENCENT_TEMPLATE_ID",
)


def send_code(phone: str, code: str, minutes: int) -> None:
    backend = current_app.config["SMS_BACKEND"]
    if backend not in BACKENDS:
        raise RuntimeError(f"SMS_BACKEND must be one of {', '.join(BACKENDS)}, not {backend!r}")
    BACKENDS[backend](phone, code, minutes)
