"""Outputs of the scan-to-join H5 page's invite-signed reads."""

from marshmallow import fields

from app.schemas.base import BaseSchema


class InviteCheckSchema(BaseSchema):
    company_name = fields.String()
    inviter_name = fields.String()
    expire_date = fields.String()  # 'YYYY-MM-DD HH:mm:ss' in TIMEZONE: when the QR code stops working
    seats_left = fields.Integer()  # free card seats now; approval checks them again
