"""Digests: due once per hour or day, stories grouped by entity without repeats, delivered
through the outbox like single alerts."""

from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.sqlite import Store
from bot.core.alerts import Alert
from bot.core.digest import digest_due, group_by_entity
from bot.services.delivery import DeliveryWorker
from bot.services.records import FeedSpec, NewEntry

T = datetime(2025, 6, 13, 10, 20, tzinfo=UTC)


@pytest.mark.parametrize(
    "mode, at, last, now, due",
    [
        ("hourly", None, None, T, True),
        ("hourly", None, T.replace(minute=5), T, False),  # already sent this hour
        ("hourly", None, T - timedelta(hours=1), T, True),
        ("daily", "08:00", None, T, True),
        ("daily", "08:00", T.replace(hour=8, minute=0), T, False),  # sent at today's slot
        ("daily", "08:00", T - timedelta(days=1), T, True),  # yesterday's: today's 08:00 has passed
        ("daily", "11:00", T - timedelta(hours=12), T, False),  # today's 11:00 not yet; sent since yesterday's
        ("daily", "11:00", T - timedelta(days=2), T, True),  # the bot was down at yesterday's slot
        ("instant", None, None, T, False),
    ],
)
def test_digest_due(mode, at, last, now, due):
    assert digest_due(mode, at, last, now) is due


def test_a_story_about_two_watched_entities_is_listed_once():
    groups = group_by_entity(
        [(("Scale AI", "Meta"), "story1"), (("Meta",), "story2"), (("AGI",), "story3")],
        order=["Meta", "AGI", "Scale AI"],
    )
    assert groups == [("Meta", ["story1", "story2"]), ("AGI", ["story3"])]


class RecordingSender:
    platform = "console"

    def __init__(self):
        self.alerts, self.digests = [], []

    async def send(self, external_id, alert, key):
        self.alerts.append(alert)
        return "a"

    async def send_digest(self, external_id, groups, lang, key):
        self.digests.append((external_id, groups, lang, key))
        return "d"


async def test_digest_channels_get_one_grouped_message_per_period(tmp_path):
    store = await Store.open(tmp_path / "bot.db")
    clock = [T]
    try:
        feed = await store.add_feed(FeedSpec("https://a/f"), T)
        channel = await store.ensure_channel("console", "digesting", T)
        await store.watch(channel.id, "meta", "Meta", T)
        await store.set_channel_preferences(channel.id, digest_mode="hourly")

        async def queue(key, title):
            entry = NewEntry(key, title, f"https://a/{key}", f"https://a/{key}", key, "", T, "en",
                             ("meta",), "{}", ())
            (rec,) = await store.record_entries(feed.id, [entry], clock[0], False)
            await store.enqueue([Alert(channel.id, rec.article_id, ("meta",))], clock[0])

        await queue("1", "Meta one")
        await queue("2", "Meta two")
        sender = RecordingSender()
        worker = DeliveryWorker(store, sender, lambda: clock[0])
        assert await worker.deliver_pending() == 0  # digest channels get no single alerts
        assert await worker.deliver_digests() == 1
        ((external_id, groups, _, key),) = sender.digests
        assert external_id == "digesting" and key.startswith("newsbot-")
        assert [(name, [v.title for v in views]) for name, views in groups] == [("Meta", ["Meta one", "Meta two"])]

        await queue("3", "Meta three")
        assert await worker.deliver_digests() == 0  # same hour: waits
        clock[0] = T + timedelta(hours=1)
        assert await worker.deliver_digests() == 1
        assert [v.title for v in sender.digests[-1][1][0][1]] == ["Meta three"]
        assert sender.alerts == [] and await store.outbox_counts() == {"sent": 3}

        await store.set_channel_preferences(channel.id, digest_mode="instant")
        await queue("4", "Meta four")
        assert await worker.deliver_pending() == 1  # back to instant
    finally:
        await store.close()
