"""Push messages (what callers enqueue, what phones receive) and the subscription bodies of the API."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from cryptography.hazmat.primitives.asymmetric import ec
from msgspec import Meta

from sereno.notifications.vapid import b64url_decode

__all__ = [
    "Audience",
    "PushText",
    "PushMessage",
    "PushPayload",
    "WebPushKeys",
    "WebPushSubscriptionIn",
    "FcmSubscriptionIn",
    "SubscriptionIn",
    "SubscriptionRemove",
    "VapidPublicKey",
]

# Web Push allows ~4 KB of encrypted payload; these bounds keep a message well inside it.
_Title = Annotated[str, Meta(min_length=1, max_length=120)]
_Body = Annotated[str, Meta(max_length=500)]


class Audience(msgspec.Struct, frozen=True, kw_only=True):
    """Who is pushed; resolved to subscriptions by the worker, not by the caller."""

    account_ids: list[int] = []
    """Staff accounts (every device each one subscribed)."""
    unit_id: int | None = None
    """The officers riding in this unit when the push is fanned out."""
    incident_id: int | None = None
    """The citizens following this report."""
    request_id: int | None = None
    """The citizens following this participation request (complaint, suggestion, question)."""

    def is_empty(self) -> bool:
        return not self.account_ids and self.unit_id is None and self.incident_id is None and self.request_id is None


class PushText(msgspec.Struct, frozen=True):
    title: _Title
    body: _Body = ""


class PushMessage(msgspec.Struct, frozen=True, kw_only=True):
    """A notification. It reaches a phone's lock screen: carry nothing the recipient may not see (no reporter
    names or phone numbers; for citizens, nothing beyond their own report's public view)."""

    title: _Title
    """In the tenant's default language (Spanish)."""
    body: _Body = ""
    url: Annotated[str, Meta(max_length=500)] = "/"
    """What opens when the notification is tapped (a path of the PWA)."""
    tag: Annotated[str, Meta(max_length=64)] = ""
    """Notifications with the same tag replace each other on the phone (e.g. ``incident-42``)."""
    data: Annotated[dict[str, str], Meta(max_length=16)] = {}
    urgency: Literal["normal", "high"] = "normal"
    """``high`` wakes a sleeping phone at once: for assignments and emergencies."""
    translations: dict[str, PushText] = {}
    """Title and body in other languages, by language code (``{"en": PushText(...)}``)."""

    def for_language(self, lang: str) -> PushPayload:
        text = self.translations.get(lang) or PushText(title=self.title, body=self.body)
        return PushPayload(title=text.title, body=text.body, url=self.url, tag=self.tag, data=self.data)


class PushPayload(msgspec.Struct, frozen=True):
    """What the phone receives: the service worker's ``event.data.json()``, or FCM's notification and data."""

    title: str
    body: str
    url: str
    tag: str
    data: dict[str, str]


_B64URL = r"^[A-Za-z0-9_-]+={0,2}$"


class WebPushKeys(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    p256dh: Annotated[
        str, Meta(min_length=86, max_length=88, pattern=_B64URL, description="P-256 point, base64url")
    ]
    auth: Annotated[
        str, Meta(min_length=22, max_length=24, pattern=_B64URL, description="16 bytes, base64url")
    ]

    def __post_init__(self) -> None:
        # Checked here: a bad key would otherwise fail every delivery to this subscription.
        try:
            ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(self.p256dh))
        except ValueError:
            raise ValueError("keys.p256dh is not a P-256 public key") from None
        if len(b64url_decode(self.auth)) != 16:
            raise ValueError("keys.auth must be 16 bytes")


class WebPushSubscriptionIn(
    msgspec.Struct, frozen=True, tag_field="kind", tag="webpush", forbid_unknown_fields=True
):
    """The browser's ``PushSubscription.toJSON()`` plus ``"kind": "webpush"``."""

    # Spaces spelled out, not \s: Python's \s also matches \x1c-\x1f, JSON Schema's (the document's) does not.
    endpoint: Annotated[
        str, Meta(max_length=1000, pattern=r"^https?://[^ \t\n\r\f\v/?#@]+(/[^ \t\n\r\f\v]*)?$")
    ]
    keys: WebPushKeys
    expiration_time: float | None = msgspec.field(default=None, name="expirationTime")


class FcmSubscriptionIn(msgspec.Struct, frozen=True, tag_field="kind", tag="fcm", forbid_unknown_fields=True):
    token: Annotated[str, Meta(min_length=1, max_length=4096, pattern=r"^[\x21-\x7e]+$")]


SubscriptionIn = WebPushSubscriptionIn | FcmSubscriptionIn


class SubscriptionRemove(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    endpoint: Annotated[
        str, Meta(min_length=1, max_length=4096, description="Web Push endpoint or FCM token")
    ]


class VapidPublicKey(msgspec.Struct, frozen=True):
    key: Annotated[str, Meta(description="applicationServerKey for PushManager.subscribe(), base64url")]
