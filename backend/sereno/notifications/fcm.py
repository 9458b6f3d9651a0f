"""FCM (firebase-admin) for native wrappers of the apps. Off unless a service-account file is configured.

firebase-admin's ``messaging.send`` is synchronous, so a send runs in a worker thread. It has no emulator
setting: a service account whose ``token_uri`` points elsewhere moves the token exchange, and
``use_send_url`` moves the sends (tests point both at a local stand-in for Google).
"""

from __future__ import annotations

import hashlib
import warnings

import anyio
import firebase_admin
from firebase_admin import credentials, exceptions, messaging

from sereno.notifications.errors import SubscriptionGone
from sereno.notifications.schemas import PushPayload
from sereno.settings import ConfigError, NotificationSettings

__all__ = ["FcmSender", "use_send_url"]

_TIMEOUT_S = 15


def use_send_url(template: str) -> None:
    """Send to ``template.format(project_id)`` instead of Google's v1 endpoint.

    firebase-admin reads this class attribute when an app's messaging service is first created, so call it
    before the first send; it applies to every firebase app in the process.
    """
    messaging._MessagingService.FCM_URL = template  # private, but the library's only switch for it


def _firebase_app(credentials_file: str) -> firebase_admin.App:
    """One firebase app per credentials file and process (firebase-admin refuses to initialise a name twice)."""
    name = "sereno-fcm-" + hashlib.sha256(credentials_file.encode()).hexdigest()[:12]
    try:
        return firebase_admin.get_app(name)
    except ValueError:
        return firebase_admin.initialize_app(
            credentials.Certificate(credentials_file), options={"httpTimeout": _TIMEOUT_S}, name=name
        )


class FcmSender:
    def __init__(self, credentials_file: str, *, ttl_s: int) -> None:
        self._app = _firebase_app(credentials_file)
        self._ttl_s = ttl_s

    @classmethod
    def from_settings(cls, settings: NotificationSettings) -> FcmSender | None:
        """None when FCM is off (no credentials configured)."""
        if not settings.fcm_credentials_file:
            return None
        try:
            return cls(settings.fcm_credentials_file, ttl_s=settings.push_ttl_s)
        except (OSError, ValueError) as exc:
            raise ConfigError(
                f"SERENO_FCM_CREDENTIALS_FILE: not a usable service-account file ({exc})"
            ) from exc

    async def send(self, *, token: str, payload: PushPayload, urgency: str = "normal") -> None:
        """Deliver one message; SubscriptionGone when the token is unregistered or not a token at all."""
        with warnings.catch_warnings():
            # firebase-admin 7.5 deprecated ``token`` for installation ids (``fid``), but registration tokens from
            # FirebaseMessaging.getToken() are what the apps have, and FCM still takes them.
            warnings.filterwarnings("ignore", "Message.token is deprecated", DeprecationWarning)
            message = self._message(token, payload, urgency)
        await anyio.to_thread.run_sync(self._send, message)

    def _message(self, token: str, payload: PushPayload, urgency: str) -> messaging.Message:
        return messaging.Message(
            token=token,
            notification=messaging.Notification(title=payload.title, body=payload.body),
            data={**payload.data, "url": payload.url, "tag": payload.tag},
            android=messaging.AndroidConfig(
                priority="high" if urgency == "high" else "normal",
                ttl=self._ttl_s,
                notification=messaging.AndroidNotification(tag=payload.tag or None),
            ),
        )

    def _send(self, message: messaging.Message) -> None:
        try:
            messaging.send(message, app=self._app)
        except messaging.UnregisteredError as exc:
            raise SubscriptionGone("FCM: token unregistered") from exc
        except exceptions.InvalidArgumentError as exc:
            # INVALID_ARGUMENT also covers problems with the message itself; only a bad token is "gone".
            if "registration token" in str(exc).lower():
                raise SubscriptionGone("FCM: not a valid registration token") from exc
            raise
