"""`newsbot scan` and `newsbot demo` as a user runs them: subprocesses, output read back."""

import asyncio
import json
import os
import sys
from pathlib import Path


from tests.feedserver import Reply, connection_recorder, feed_server  # noqa: F401 (fixtures)

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds" / "feeds"
RSS = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>Loop</title>'
    "<item><guid>l1</guid><title>Nvidia invests $500 million in a robotics startup</title>"
    "<link>https://loop.example.com/1</link><description>The chip maker leads the round.</description></item>"
    "<item><guid>l2</guid><title>Weather report</title><link>https://loop.example.com/2</link>"
    "<description>Sunny.</description></item></channel></rss>"
)


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSBOT_", "DISCORD_", "SLACK_"))}
    env.update(extra)
    return env


async def newsbot(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=cwd, env=env or clean_env(),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    return proc.returncode, out.decode(), err.decode()


def entry_count(path: Path) -> int:
    text = path.read_text(encoding="utf-8")
    return text.count("<item>") + text.count("<item ") + text.count("<entry>") + text.count("<entry ")


async def test_scan_json_lists_every_entry_of_every_file():
    files = sorted(SEEDS.glob("*.xml"))
    code, out, err = await newsbot("scan", "--json", *map(str, files))
    assert code == 0, err
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == sum(entry_count(f) for f in files)
    for record in records:
        assert {"feed", "id", "title", "link", "published", "lang", "entities", "amounts",
                "percents", "deals"} <= set(record)
    assert {r["lang"] for r in records} >= {"en", "fr"}


async def test_scan_finds_the_reference_story_in_the_french_sample():
    code, out, err = await newsbot("scan", "--json", str(SEEDS / "next" / "lefiltech-fr.xml"))
    assert code == 0, err
    story = next(json.loads(l) for l in out.splitlines() if "Scale AI" in json.loads(l)["title"])
    assert {"Meta", "Scale AI", "AGI"} <= set(story["entities"])
    assert 49 in [p["value"] for p in story["percents"]]
    values = {a["value"] for a in story["amounts"] if a["currency"] == "USD"}
    assert {15e9, 2e9, 25e9, 13e9, 8e9, 3e9} <= values
    pairs = {(tuple(d["investors"]), d["target"]) for d in story["deals"]}
    assert {(("Meta",), "Scale AI"), (("Microsoft",), "OpenAI"), (("Amazon",), "Anthropic"),
            (("Google",), "Anthropic")} <= pairs


async def test_scan_watch_limits_entities_to_the_watched_names():
    code, out, _ = await newsbot("scan", "--json", "--watch", "meta platforms", "--watch", "AGI",
                                 str(SEEDS / "next" / "lefiltech-fr.xml"))
    assert code == 0
    seen = {name for line in out.splitlines() for name in json.loads(line)["entities"]}
    assert seen and seen <= {"Meta", "AGI"}


async def test_scan_table_output_and_an_unreadable_source_does_not_stop_the_rest(tmp_path):
    code, out, err = await newsbot("scan", str(tmp_path / "missing.xml"), str(SEEDS / "techwire-en.xml"))
    assert code == 0
    assert "missing.xml" in err and len(err.strip().splitlines()) == 1
    assert out.count("\n") >= entry_count(SEEDS / "techwire-en.xml")


async def test_scan_exits_non_zero_when_no_source_can_be_read(tmp_path):
    code, out, err = await newsbot("scan", str(tmp_path / "nope.xml"))
    assert code != 0 and out == "" and "nope.xml" in err


async def test_scan_reads_loopback_feeds_only_when_allowed(feed_server, connection_recorder):  # noqa: F811
    feed_server.route("/feed.xml", Reply(body=RSS))
    code, out, err = await newsbot("scan", "--json", feed_server.url("/feed.xml"),
                                   env=clean_env(NEWSBOT_ALLOW_PRIVATE_URLS="1"))
    assert code == 0, err
    titles = [json.loads(line)["title"] for line in out.splitlines()]
    assert len(titles) == 2 and "Nvidia" in titles[0]

    refused = [f"http://127.0.0.1:{connection_recorder.port}/feed.xml",
               f"http://localhost:{connection_recorder.port}/feed.xml"]
    code, out, err = await newsbot("scan", *refused, env=clean_env())
    assert code != 0 and out == ""
    assert len(err.strip().splitlines()) == 2 and all("refused" in line for line in err.strip().splitlines())
    assert connection_recorder.accepted == 0


async def test_demo_prints_the_alert_for_the_reference_story_and_the_ledger():
    code, out, err = await newsbot("demo")
    assert code == 0, err
    first, _, rest = out.partition("== second poll")
    assert "alerts queued: 0" in first  # the first poll is backlog
    alerts = [block for block in rest.split("\n\n") if block.startswith("🔔")]
    story = [a for a in alerts if "Scale AI" in a.splitlines()[0]]
    assert len(story) == 1, out  # one alert, however many outlets carry it
    assert "49 %" in story[0] and "$15B" in story[0]
    ledger = out.partition("> /deals")[2]
    for pair in ("Meta → Scale AI", "Microsoft → OpenAI", "Amazon → Anthropic", "Google → Anthropic"):
        assert pair in ledger, ledger
