"""The radar user's business card as a page of its own (H5, customer credentials): the card and the company's
activities to sign up for from it."""

from flask import Blueprint

from app.auth import current_customer
from app.declare import answers
from app.responses import ok
from app.schemas.answers import CardPageAnswerSchema
from app.schemas.share import CardPageSchema
from app.services.cards import card_page

bp = Blueprint("card", __name__, url_prefix="/card")


@bp.get("/<int:uid>")
@answers(CardPageAnswerSchema)
def card(uid):
    """名片页: radar user `uid`'s card (as 15.1's user_card) and the company's activities `[{id, title}]`."""
    return ok({"ret_data": CardPageSchema().dump(card_page(current_customer(), uid))}, "查询成功")
