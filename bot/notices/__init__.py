"""Admin notices: broadcasts to staff and village groups through the delivery outbox, with 收到 buttons,
acknowledgement lists, reminders to those who have not confirmed, scheduling and an audit per chat."""
