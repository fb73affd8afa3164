"""The customer's activity page (H5): the activity, its view counted on 8.5's read_count."""

from sqlalchemy import case, func, select, update

from app.extensions import db
from app.models.plugin import Activity, ActivitySignUp
from app.models.radar import Customer, RadarUser
from app.services.cards import radar_user_card
from app.tenancy import get_for_company


def view_activity(customer: Customer, activity_id: int, uid: int | None) -> dict:
    """One view of one of the customer's company's activities (302 otherwise), from radar user uid's page."""
    activity = get_for_company(Activity, activity_id, customer.company_id, "活动")
    if uid is not None:
        get_for_company(RadarUser, uid, customer.company_id, "雷达用户")
    db.session.execute(  # in SQL: two concurrent views both count
        update(Activity)
        .where(Activity.id == activity.id)
        .values(read_count=Activity.read_count + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(activity, ["read_count"])
    of_activity = ActivitySignUp.activity_id == activity.id
    mine = func.sum(case((ActivitySignUp.customer_id == customer.id, 1), else_=0))
    join_num, signed_up = db.session.execute(select(func.count(), mine).where(of_activity)).one()
    return {
        "activity": activity,
        "join_num": join_num,
        "signed_up": bool(signed_up),
        "card": radar_user_card(customer.company_id, uid),
    }
