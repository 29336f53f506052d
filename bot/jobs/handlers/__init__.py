"""The Telegram side of the jobs capability, one module per flow (see ``bot/jobs/__init__.py``)."""

from __future__ import annotations

from typing import Any

from telegram.ext import BaseHandler

from bot.context import BotApplication, BotContext
from bot.i18n import N_
from bot.jobs import outbox, scheduled
from bot.jobs.handlers import applicants, application_form, browse, mine, posting_form, postings
from bot.menus import MenuRegistry
from bot.people.models import Role

__all__ = ["add_commands", "deep_links", "handlers", "setup"]


def deep_links() -> list[BaseHandler[Any, BotContext, Any]]:
    """What must come before the people capability's ``/start``: the application form (its entry
    ``/start job_<id>`` is the 我要报名 link of a village group), then other ``job_`` payloads."""
    return [*application_form.handlers(), browse.link_handler()]


def handlers() -> list[BaseHandler[Any, BotContext, Any]]:
    """The other jobs handlers (new ones each call): the posting form first, then commands and buttons."""
    return [
        *posting_form.handlers(),
        *browse.handlers(),
        *mine.handlers(),
        *postings.handlers(),
        *applicants.handlers(),
    ]


def add_commands(menus: MenuRegistry) -> None:
    menus.add("jobs", N_("Open jobs"), order=10)
    menus.add("myapplications", N_("My job applications"), order=11)
    menus.add("jobalerts", N_("Alerts for new jobs"), order=12)
    menus.add("forgetme", N_("Delete my job applications"), order=89)
    menus.add("newjob", N_("Post a new job"), roles=[Role.ADMIN], order=50)
    menus.add("postings", N_("Job postings"), roles=[Role.ADMIN], order=51)
    menus.add("applicants", N_("Applicants of a job"), roles=[Role.ADMIN], order=52)


def setup(application: BotApplication) -> None:
    """The deadline tick, and the report to the publishing admin once an announcement is sent."""
    scheduled.schedule(application)
    application.bot_data.sender.listen(outbox.ANNOUNCE_KIND, postings.announcement_report(application))
