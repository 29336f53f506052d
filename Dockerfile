# Xingzhan bot: `python -m bot run` applies the migrations, then runs (long polling, or a webhook if WEBHOOK_URL
# is set). Everything the bot writes — the SQLite database, answers saved as notes — lives in /app/data.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_URL=sqlite+aiosqlite:////app/data/xingzhan.db \
    KNOWLEDGE_DIR=/app/knowledge \
    SAVED_NOTES_DIR=/app/data/notes \
    MPLCONFIGDIR=/app/.cache/matplotlib

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
# The chart library's font cache is built once here (with the CJK font), not on every chart.
RUN pip install --no-cache-dir . \
    && mkdir -p /app/data "$MPLCONFIGDIR" \
    && python -c "import matplotlib.font_manager" \
    && chown -R xingzhan:xingzhan /app/data /app/.cache
COPY --chown=xingzhan:xingzhan knowledge ./knowledge

USER 10001:10001
VOLUME ["/app/data"]
EXPOSE 8443

CMD ["python", "-m", "bot", "run"]
