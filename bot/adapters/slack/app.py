"""The Slack front end as `newsbot run` starts it: a bolt `AsyncApp` taking slash commands, and
a delivery worker posting Slack's share of the outbox.

Two ways in, chosen by the settings:
- HTTP mode (SLACK_BOT_TOKEN + SLACK_SIGNING_SECRET): an aiohttp server on SLACK_PORT answers
  `POST /slack/events`; bolt checks every request's signature and refuses stale or forged ones.
- Socket Mode (SLACK_APP_TOKEN set as well): the bot opens a websocket to Slack, so no public
  URL is needed; requests arrive over it and need no signature.

SLACK_API_URL points the Web API client (and so Socket Mode's connection request) elsewhere,
for a proxy or a local stand-in.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from aiohttp import web
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.app.async_server import AsyncSlackAppServer
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.commands import SlackCommands, register
from bot.adapters.slack.sender import SlackSender, error_code
from bot.services.delivery import DeliveryWorker

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
DEFAULT_API_URL = "https://slack.com/api"


class SlackStartFailed(Exception):
    """Slack cannot be started with these settings; the message is one line for the operator."""


def web_client(settings) -> AsyncWebClient:
    base = (settings.slack_api_url or DEFAULT_API_URL).rstrip("/") + "/"
    # No automatic retries: a retried chat.postMessage whose first answer was lost would post
    # twice. The sender decides what to retry, and checks history when unsure.
    return AsyncWebClient(token=settings.slack_bot_token, base_url=base, retry_handlers=[])


def build_app(runtime, settings, client: AsyncWebClient) -> AsyncApp:
    app = AsyncApp(
        client=client,
        signing_secret=settings.slack_signing_secret or "",
        name="newsbot",
        logger=logging.getLogger("newsbot.slack.bolt"),
    )
    register(app, SlackCommands(runtime))
    return app


@dataclass
class SlackFrontEnd:
    app: AsyncApp
    client: AsyncWebClient
    sender: SlackSender
    worker: DeliveryWorker
    team: str
    port: int | None = None  # the HTTP port actually bound (None in Socket Mode)
    _runner: web.AppRunner | None = None
    _socket: object | None = None
    _tasks: list[asyncio.Task] = field(default_factory=list)

    def wake(self) -> None:
        """Tell the delivery worker new alerts are queued (chain into `poller.on_alerts`)."""
        self.worker.wake.set()

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        if self._socket is not None:
            with contextlib.suppress(Exception):
                await self._socket.close_async()
            self._socket = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


async def check_token(client: AsyncWebClient) -> str:
    """auth.test, so a wrong token stops start-up with one line instead of failing every command."""
    try:
        response = await client.auth_test()
    except SlackApiError as error:
        raise SlackStartFailed(
            f"slack: the bot token was refused ({error_code(error.response)}); check SLACK_BOT_TOKEN"
        ) from None
    except Exception as error:
        raise SlackStartFailed(f"slack: cannot reach {client.base_url}: {error!r}") from None
    return f"{response.get('team') or response.get('team_id')} as {response.get('user')}"


async def start_slack(
    runtime, settings, *, host: str = "0.0.0.0", deliver: bool = True
) -> SlackFrontEnd:
    """Start the Slack front end; raises `SlackStartFailed` with a one-line reason.
    With `deliver=False` the caller runs `front.worker` itself (`newsbot run` runs every
    platform's worker the same way); only one loop may ever drain a platform's outbox."""
    if not settings.slack_bot_token:
        raise SlackStartFailed("slack: SLACK_BOT_TOKEN is not set")
    if not settings.slack_app_token and not settings.slack_signing_secret:
        raise SlackStartFailed("slack: SLACK_SIGNING_SECRET is needed in HTTP mode "
                               "(or set SLACK_APP_TOKEN for Socket Mode)")
    client = web_client(settings)  # one aiohttp session per call: nothing to close
    front = None
    try:
        team = await check_token(client)
        app = build_app(runtime, settings, client)
        sender = SlackSender(client)
        worker = DeliveryWorker(runtime.store, sender, runtime.clock)
        front = SlackFrontEnd(app, client, sender, worker, team)
        if settings.slack_app_token:
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

            handler = AsyncSocketModeHandler(app, settings.slack_app_token, web_client=client)
            front._socket = handler
            await handler.connect_async()
            log.info("slack: connected to %s over Socket Mode", team)
        else:
            runner = web.AppRunner(AsyncSlackAppServer(settings.slack_port, EVENTS_PATH, app).web_app)
            await runner.setup()
            front._runner = runner
            site = web.TCPSite(runner, host, settings.slack_port)
            try:
                await site.start()
            except OSError as error:
                raise SlackStartFailed(f"slack: cannot listen on port {settings.slack_port}: "
                                       f"{error.strerror or error}") from None
            front.port = runner.addresses[0][1] if runner.addresses else settings.slack_port
            log.info("slack: %s, taking commands on http://%s:%d%s", team, host, front.port, EVENTS_PATH)
        if deliver:
            front._tasks.append(asyncio.create_task(worker.run_forever(), name="slack-delivery"))
            _chain_wake(runtime.poller, front.wake)
        return front
    except BaseException:
        if front is not None:
            await front.stop()
        raise


def _chain_wake(poller, wake) -> None:
    """Add `wake` to the poller's on_alerts, keeping whatever other front ends put there."""
    previous = poller.on_alerts

    def on_alerts() -> None:
        previous()
        wake()

    poller.on_alerts = on_alerts
