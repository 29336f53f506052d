"""The bot's connection to the Bot API server: PTB's request interface on an aiohttp client session.

PTB's default transport (httpx) costs several milliseconds of CPU per request once dozens of requests are
in flight, which is exactly when the whole floor presses 签到 together; aiohttp costs a fraction of that.
Timeouts mean what they mean for PTB's ``HTTPXRequest`` and errors become the same PTB exceptions.
"""

from __future__ import annotations

import logging

import aiohttp
import yarl
from aiohttp.helpers import get_env_proxy_for_url
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

log = logging.getLogger(__name__)

_FORM = {"Content-Type": "application/x-www-form-urlencoded"}

_NOT_SENT = (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError)


def request_was_not_sent(exc: BaseException) -> bool:
    """Whether a failed request certainly never reached the server (no connection could be had)."""
    cause = exc.__cause__
    if isinstance(cause, _NOT_SENT):
        return True
    try:
        import httpx
    except ImportError:  # pragma: no cover - httpx comes with PTB
        return False
    return isinstance(cause, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)


def _seconds(value: object, default: float | None) -> float | None:
    """A timeout passed to a bot method, or this request's default where PTB passes ``DEFAULT_NONE``."""
    if isinstance(value, DefaultValue):
        return default
    return value if isinstance(value, int | float) or value is None else default


def _sum(*parts: float | None) -> float | None:
    return None if any(part is None for part in parts) else sum(part for part in parts if part is not None)


class AiohttpRequest(BaseRequest):
    """``BaseRequest`` over one ``aiohttp.ClientSession`` with a pool of ``connection_pool_size`` connections.

    Timeouts (seconds, ``None`` for none): ``connect_timeout`` to open a connection, ``pool_timeout`` to
    wait for a free one, ``read_timeout`` between bytes of the answer, ``media_write_timeout`` for the
    whole of an upload. A proxy is taken from the usual environment variables (``HTTPS_PROXY``,
    ``NO_PROXY``, ...), looked up once per server rather than on every request.
    """

    __slots__ = (
        "_connect_timeout",
        "_media_write_timeout",
        "_pool_size",
        "_pool_timeout",
        "_proxies",
        "_read_timeout",
        "_session",
    )

    def __init__(
        self,
        connection_pool_size: int = 256,
        *,
        read_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[str, tuple[yarl.URL | None, aiohttp.BasicAuth | None]] = {}

    @property
    def read_timeout(self) -> float | None:
        """See :attr:`BaseRequest.read_timeout`."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the client session (again, after a shutdown)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                trust_env=False,  # proxies: see _proxy (aiohttp would look them up in a thread per request)
                timeout=aiohttp.ClientTimeout(total=None),
            )

    async def shutdown(self) -> None:
        """Close the client session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    def _timeout(
        self,
        request_data: RequestData | None,
        read_timeout: object,
        write_timeout: object,
        connect_timeout: object,
        pool_timeout: object,
    ) -> aiohttp.ClientTimeout:
        read = _seconds(read_timeout, self._read_timeout)
        connect = _seconds(connect_timeout, self._connect_timeout)
        pool = _seconds(pool_timeout, self._pool_timeout)
        total = None
        if request_data is not None and request_data.contains_files:
            # aiohttp has no write timeout: bound the whole upload instead (sending, then the answer).
            total = _sum(_seconds(write_timeout, self._media_write_timeout), read)
        return aiohttp.ClientTimeout(
            total=total, connect=_sum(pool, connect), sock_connect=connect, sock_read=read
        )

    def _proxy(self, url: str) -> tuple[yarl.URL | None, aiohttp.BasicAuth | None]:
        """The proxy (and its credentials) for requests to ``url``'s server, from the environment."""
        origin = url[: url.find("/", url.find("//") + 2)] if "//" in url else url
        found = self._proxies.get(origin)
        if found is None:
            try:
                found = get_env_proxy_for_url(yarl.URL(origin))
            except LookupError:
                found = (None, None)
            self._proxies[origin] = found
        return found

    @staticmethod
    def _body(request_data: RequestData | None) -> aiohttp.FormData | bytes | None:
        if request_data is None:
            return None
        if not request_data.contains_files:
            return request_data.url_encoded_parameters().encode()
        form = aiohttp.FormData(request_data.json_parameters)
        for name, (filename, content, mime_type) in request_data.multipart_data.items():
            form.add_field(name, content, filename=filename, content_type=mime_type)
        return form

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """See :meth:`BaseRequest.do_request`."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        timeout = self._timeout(request_data, read_timeout, write_timeout, connect_timeout, pool_timeout)
        body = self._body(request_data)
        headers = {"User-Agent": self.USER_AGENT}
        if isinstance(body, bytes):
            headers.update(_FORM)
        proxy, proxy_auth = self._proxy(url)
        try:
            async with self._session.request(
                method, url, data=body, headers=headers, timeout=timeout, proxy=proxy, proxy_auth=proxy_auth
            ) as response:
                return response.status, await response.read()
        except aiohttp.ConnectionTimeoutError as exc:
            raise TimedOut("No connection to the Bot API server in time; the request was not sent.") from exc
        except TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc
