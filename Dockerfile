# Xingzhan bot: migrations are applied, then the bot runs (long polling, or a webhook if WEBHOOK_URL is set).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_URL=sqlite+aiosqlite:////app/data/xingzhan.db \
    KNOWLEDGE_DIR=/app/knowledge

RUN groupadd --system --gid 10001 xingzhan \
    && useradd --system --uid 10001 --gid xingzhan --home-dir /app --shell /usr/sbin/nologin xingzhan

# A CJK font so that the attendance charts can show Chinese names and labels.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install --no-cache-dir . \
    && mkdir -p /app/data \
    && chown xingzhan:xingzhan /app/data
COPY migrations ./migrations
COPY --chown=xingzhan:xingzhan knowledge ./knowledge

USER 10001:10001
VOLUME ["/app/data"]
EXPOSE 8443

CMD ["sh", "-c", "python -m bot db upgrade && exec python -m bot run"]
