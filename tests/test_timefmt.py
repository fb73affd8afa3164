"""The output formats of times (app/timefmt.py): a stored UTC datetime shown in TIMEZONE."""

from datetime import datetime

from app.timefmt import fmt_datetime, fmt_iso, fmt_iso_millis, fmt_minute


def test_each_format_of_a_utc_time_in_the_local_zone(app):
    with app.app_context():
        assert app.config["TIMEZONE"] == "Asia/Shanghai"
        whole, fraction = datetime(2018, 7, 21, 3, 24, 3), datetime(2018, 7, 21, 3, 24, 3, 761999)
        assert fmt_datetime(fraction) == "2018-07-21 11:24:03"
        assert fmt_minute(fraction) == "2018-07-21 11:24"
        assert (fmt_iso(whole), fmt_iso(fraction)) == ("2018-07-21T11:24:03", "2018-07-21T11:24:03.761")
        assert fmt_iso_millis(whole) == "2018-07-21T11:24:03.000"
        assert fmt_iso_millis(fraction) == "2018-07-21T11:24:03.761"
        assert fmt_iso(datetime(2018, 7, 21, 3, 24, 3, 999)) == "2018-07-21T11:24:03.000"
        assert fmt_iso(None) is fmt_iso_millis(None) is fmt_minute(None) is None
