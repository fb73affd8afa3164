"""The WeChat-side routes of /zhugeleida/admin/user (5.6 mini-program QR codes, 5.7 address-book sync).

They live on user.bp so the URLs stay as documented, in their own module so the radar-user
module and the WeChat work stay apart.
"""

from app.api.admin.user import bp  # noqa: F401
