"""The documented-only Management Tool: what the product itself publishes, and nothing else.

The product documents one machine interface per Application Server: its Management
Tool answers ``<base path>/healthcheck?debug=True`` with 200 when healthy and a 50x
code when something is wrong. This site serves exactly that. Every other path answers
a 404 HTML page as IIS sends it, and the site root (and the base path itself)
redirects to the web login page, a form for people. No ``/api/v1``: a console that
expects the API finds none, as with a real deployment.
"""

from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Handler

from simulator.http_faults import fault_middleware
from simulator.http_health import get_healthcheck
from simulator.http_json import MAX_REQUEST_BODY
from simulator.http_middleware import request_log_middleware
from simulator.http_problems import Problem, problem_middleware
from simulator.state import ENDPOINT, STATE, SimulatorState

IIS_SERVER_HEADER = "Microsoft-IIS/10.0"
LOGIN_PAGE = "/Account/Login"

_NOT_FOUND_PAGE = """\
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" \
"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"/>
<title>404 - File or directory not found.</title>
<style type="text/css">
body{margin:0;font-size:.7em;font-family:Verdana, Arial, Helvetica, sans-serif;}
</style>
</head>
<body>
<div id="header"><h1>Server Error</h1></div>
<div id="content">
 <div class="content-container"><fieldset>
  <h2>404 - File or directory not found.</h2>
  <h3>The resource you are looking for might have been removed, had its name changed, \
or is temporarily unavailable.</h3>
 </fieldset></div>
</div>
</body>
</html>
"""

_LOGIN_PAGE = """\
<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Ekran System - Log in</title></head>
<body>
<form method="post" action="{action}">
<h1>Ekran System Management Tool</h1>
<label>User name <input name="UserName" autocomplete="username"></label>
<label>Password <input name="Password" type="password" autocomplete="current-password"></label>
<button type="submit">Log in</button>
</form>
</body>
</html>
"""


def normalize_base_path(text: str) -> str:
    """``"/MyMonitoringSystem"`` from ``"MyMonitoringSystem/"``; raises ``ValueError`` on
    an empty path or one with characters a URL path cannot hold as they are."""
    path = "/" + text.strip().strip("/")
    if path == "/" or any(c in path for c in " ?#%\\") or "//" in path:
        raise ValueError(f"{text!r} is not a usable base path (e.g. /EkranSystem)")
    return path


def build_documented_app(state: SimulatorState, server_id: str, base_path: str) -> web.Application:
    """The documented-only Management Tool of ``server_id`` under ``base_path``."""
    app = web.Application(
        middlewares=[
            request_log_middleware(server_id),
            _iis_headers,
            problem_middleware,
            fault_middleware,
        ],
        client_max_size=MAX_REQUEST_BODY,
    )
    app[STATE] = state
    app[ENDPOINT] = server_id
    router = app.router
    router.add_get(base_path + "/healthcheck", _healthcheck, allow_head=False)
    router.add_get(base_path + LOGIN_PAGE, _login_page, allow_head=False)
    for root in ("/", base_path, base_path + "/"):
        router.add_get(root, _to_login(base_path), allow_head=False)
    router.add_route("*", "/{tail:.*}", _not_found)
    return app


async def _healthcheck(request: web.Request) -> web.StreamResponse:
    """The healthcheck; 503 while the Application Server is not running (IIS and the
    Management Tool themselves keep answering)."""
    server = request.app[STATE].cluster.server(request.app[ENDPOINT])
    if server.process != "running":
        raise Problem(503, f"Application Server {server.name} is {server.process}.")
    return await get_healthcheck(request)


def _to_login(base_path: str) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(f"{base_path}{LOGIN_PAGE}?ReturnUrl={base_path}%2F")

    return handler


async def _login_page(request: web.Request) -> web.Response:
    return web.Response(
        text=_LOGIN_PAGE.format(action=request.path), content_type="text/html", charset="utf-8"
    )


async def _not_found(request: web.Request) -> web.Response:
    return web.Response(
        status=404, text=_NOT_FOUND_PAGE, content_type="text/html", charset="iso-8859-1"
    )


@web.middleware
async def _iis_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """``Server`` and ``X-Powered-By`` as IIS with ASP.NET sends them."""
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        exc.headers["Server"] = IIS_SERVER_HEADER
        raise
    response.headers["Server"] = IIS_SERVER_HEADER
    response.headers["X-Powered-By"] = "ASP.NET"
    return response
