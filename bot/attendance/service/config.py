"""The workplace's attendance settings: where it is, how near a check-in must be, whether that is checked."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.attendance.models import AttendanceConfig
from bot.attendance.service.common import insert_ignore

CONFIG_ID = 1


async def get_config(session: AsyncSession) -> AttendanceConfig:
    """The workplace's attendance settings (created with defaults the first time)."""
    config = await session.get(AttendanceConfig, CONFIG_ID)
    if config is None:
        await insert_ignore(session, AttendanceConfig, [{"id": CONFIG_ID}])
        await session.commit()
        config = await session.get(AttendanceConfig, CONFIG_ID)
    assert config is not None
    return config


async def set_workplace(session: AsyncSession, latitude: float, longitude: float) -> AttendanceConfig:
    """Remember where the workplace is and require a location at check-in."""
    config = await get_config(session)
    config.latitude, config.longitude, config.require_location = latitude, longitude, True
    session.add(config)
    await session.commit()
    return config


async def set_radius(session: AsyncSession, radius_m: int) -> AttendanceConfig:
    """How far from the workplace a check-in may be."""
    config = await get_config(session)
    config.radius_m = radius_m
    session.add(config)
    await session.commit()
    return config


async def set_require_location(session: AsyncSession, required: bool) -> AttendanceConfig:
    """Turn the location check on (only once the workplace is known) or off."""
    config = await get_config(session)
    config.require_location = required and config.latitude is not None
    session.add(config)
    await session.commit()
    return config
