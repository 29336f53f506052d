"""Try the whole bot with no token and no route to Telegram: a local Bot API server and a chat page."""
