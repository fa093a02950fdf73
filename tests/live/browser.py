"""A tiny cookie-keeping HTTP client for live tests, using only the standard library."""

from __future__ import annotations

import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request


class Answer:
    """A finished HTTP exchange."""

    def __init__(self, status: int, headers, body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Keep cookies between requests to one live server; never follow redirects."""

    def __init__(self, base_url: str, context=None) -> None:
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()
        handlers = [urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect()]
        if context is not None:
            handlers.append(urllib.request.HTTPSHandler(context=context))
        self.opener = urllib.request.build_opener(*handlers)

    def request(self, method: str, path: str, data: bytes | dict | None = None, headers: dict | None = None) -> Answer:
        """Send one request and return the answer, whatever its status."""
        headers = dict(headers or {})
        if isinstance(data, dict):
            data = urllib.parse.urlencode(data).encode()
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        request = urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers)
        try:
            with self.opener.open(request, timeout=30) as answer:
                return Answer(answer.status, answer.headers, answer.read())
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.headers, error.read())

    def get(self, path: str, **kwargs) -> Answer:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data=None, **kwargs) -> Answer:
        return self.request("POST", path, data, **kwargs)

    def csrf(self, path: str) -> str:
        """Return the CSRF token of the form on a page."""
        return re.search(r'name="csrf_token" value="([^"]+)"', self.get(path).text).group(1)

    def login(self, username: str, password: str) -> Answer:
        """Log in through the form."""
        token = self.csrf("/account/login")
        return self.post("/account/login", {"username": username, "password": password, "csrf_token": token})

    def session_cookie(self) -> str | None:
        return next((cookie.value for cookie in self.cookies if cookie.name == "session_id"), None)
