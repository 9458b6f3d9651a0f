"""Sereno: citizen-safety platform (reporting, dispatch, transparency) for municipalities."""

import os

# Piccolo finds its engine through this module; set before any table is imported.
os.environ.setdefault("PICCOLO_CONF", "sereno.piccolo_conf")

__version__ = "0.1.0"
