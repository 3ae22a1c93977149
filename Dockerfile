# newsbot: the long-running bot (`newsbot run`) in a small image.
#   docker build -t newsbot .
#   docker run --env-file .env -v newsbot-data:/data newsbot
# With no DISCORD_TOKEN / SLACK_BOT_TOKEN set the bot runs its console channel, which needs a
# terminal: add `-it` to try it that way.
# Build stage: the wheel, with the analysis modules compiled by Cython (setup.py), which needs a
# C compiler that the run-time image does without.
FROM python:3.11-slim AS build
RUN apt-get update \
 && apt-get install --yes --no-install-recommends gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# pyproject.toml names README.md as the package readme, so the build needs it.
COPY pyproject.toml setup.py README.md ./
COPY bot ./bot
RUN pip wheel --no-deps --wheel-dir /wheels .

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# A fixed, unprivileged account: files the bot writes on the volume get a predictable owner.
RUN groupadd --system --gid 10001 newsbot \
 && useradd --system --uid 10001 --gid newsbot --home-dir /app --shell /usr/sbin/nologin newsbot

WORKDIR /app

COPY --from=build /wheels /wheels
RUN pip install /wheels/*.whl \
 && rm -rf /wheels

# Data files the bot reads at run time; settings resolve them relative to /app.
COPY config ./config
COPY seeds ./seeds

# The database lives on a volume so it survives a new image. Create the folder owned by the bot
# user first: a fresh named volume copies this ownership, so the bot can write to it.
RUN mkdir -p /data && chown newsbot:newsbot /data
ENV NEWSBOT_DB=/data/newsbot.db \
    NEWSBOT_FEEDS_FILE=/app/config/feeds.toml \
    NEWSBOT_ENTITIES_FILE=/app/config/entities.toml
VOLUME /data

USER newsbot

# No HEALTHCHECK: the bot serves no port of its own to probe (Slack's HTTP mode aside), and a
# check that only proves the process exists would report a stuck bot as healthy.
# Exec form, so `docker stop` sends SIGTERM to newsbot itself; as PID 1 it gets no default signal
# handling from the kernel and relies on its own SIGTERM handler (or run with `docker run --init`).
# Slack in HTTP mode listens on SLACK_PORT (3000 by default): publish it with `-p 3000:3000`.
CMD ["newsbot", "run"]
