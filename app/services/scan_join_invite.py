"""What the scan-to-join H5 page shows before its form: the invite's company, inviter, expiry and free seats,
and the company's departments (both read with the invite's signature; docs/contract_extensions.md)."""

from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from app.extensions import db
from app.models.admin import AdminUser
from app.models.radar import RADAR_ENABLED, Department, RadarUser
from app.services.radar_users import list_departments
from app.timefmt import fmt_datetime


def invite_expiry(timestamp_ms: int) -> datetime:
    """When an invite signed at `timestamp_ms` stops working (naive UTC, as the database stores times)."""
    signed = datetime.fromtimestamp(timestamp_ms / 1000, UTC).replace(tzinfo=None)
    return signed + timedelta(days=current_app.config["INVITE_TTL_DAYS"])


def check_invite(inviter: AdminUser, timestamp_ms: int) -> dict:
    """The invite's facts; a plain count of the seats (approval re-checks them under the company lock)."""
    company = inviter.company
    used = db.session.scalar(
        select(func.count()).where(RadarUser.company_id == company.id, RadarUser.status == RADAR_ENABLED)
    )
    return {
        "company_name": company.name,
        "inviter_name": inviter.username or inviter.login_user,
        "expire_date": fmt_datetime(invite_expiry(timestamp_ms)),
        "seats_left": max(company.mingpian_available_num - (used or 0), 0),
    }


def invite_departments(inviter: AdminUser) -> list[Department]:
    return list_departments(inviter.company_id)
