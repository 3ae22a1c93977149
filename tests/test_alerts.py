from datetime import UTC, datetime, timedelta

from bot.core.alerts import Alert, Subscription, decide_alerts

SEEN = datetime(2025, 6, 13, 8, 0, tzinfo=UTC)
BEFORE = SEEN - timedelta(hours=1)
AFTER = SEEN + timedelta(hours=1)


def sub(channel, entity, created=BEFORE, paused=False):
    return Subscription(channel, entity, entity, created, paused)


def test_backlog_alerts_no_one():
    assert decide_alerts(1, ["meta"], SEEN, True, [sub(1, "meta")]) == []


def test_only_subscriptions_older_than_the_entry_are_alerted():
    subs = [sub(1, "meta"), sub(2, "meta", created=AFTER)]
    assert decide_alerts(7, ["meta"], SEEN, False, subs) == [Alert(1, 7, ("meta",))]


def test_several_watched_entities_make_one_alert_per_channel():
    subs = [sub(1, "meta"), sub(1, "scale-ai"), sub(1, "agi"), sub(2, "agi")]
    alerts = decide_alerts(7, ["meta", "scale-ai", "agi"], SEEN, False, subs)
    assert alerts == [Alert(1, 7, ("meta", "scale-ai", "agi")), Alert(2, 7, ("agi",))]


def test_paused_and_unmatched_subscriptions_are_skipped():
    subs = [sub(1, "meta", paused=True), sub(2, "openai")]
    assert decide_alerts(7, ["meta"], SEEN, False, subs) == []
