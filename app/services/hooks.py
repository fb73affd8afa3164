"""Extension points between areas, so one area can react to another without importing it."""


def radar_users_created(company_id: int, radar_user_ids: list[int]) -> None:
    """Called (inside the request's transaction) after radar users were created by the admin side,
    e.g. by approving scan-to-join requests. The WeChat issue pushes them to WeChat Work here."""
