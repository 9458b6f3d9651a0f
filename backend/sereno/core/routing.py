"""A repair of Litestar 2's automatic OPTIONS answers, whose ``Allow`` header can miss methods of the path.

Litestar builds an OPTIONS handler for every path when the path's first handlers are registered; the handler
reads the methods of the route object it was made with. Routes are rebuilt when more handlers join a path
(and copied into the app), so ``OPTIONS /api/v1/incidents`` answered ``Allow: OPTIONS, POST`` without GET.
Litestar 3 defers building these handlers (litestar-org/litestar#4169); until Sereno moves to it, each
default handler is pointed at the route that finally holds it.
"""

from __future__ import annotations

from litestar import Litestar
from litestar.routes import HTTPRoute

__all__ = ["repair_allow_headers"]


def repair_allow_headers(app: Litestar) -> Litestar:
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or "OPTIONS" not in route.route_handler_map:
            continue
        fn = route.route_handler_map["OPTIONS"][0].fn
        # Only Litestar's own handler (a closure over its route named ``self``), never one the app declares.
        if fn.__name__ == "options_handler" and "self" in fn.__code__.co_freevars and fn.__closure__:
            fn.__closure__[fn.__code__.co_freevars.index("self")].cell_contents = route
    return app
