"""What a sender reports back besides success."""

from __future__ import annotations

__all__ = ["SubscriptionGone"]


class SubscriptionGone(Exception):
    """The push service says this subscription no longer exists (Web Push 404/410, FCM UNREGISTERED):
    delete it. Any other exception from a sender means "try again later"."""
