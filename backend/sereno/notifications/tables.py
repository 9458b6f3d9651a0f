"""Push subscriptions: Web Push (installed PWAs) and FCM tokens (native wrappers)."""

from __future__ import annotations

from piccolo.columns import BigInt, BigSerial, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

__all__ = ["PushSubscription"]


class PushSubscription(Table, tablename="push_subscription"):
    """Who gets pushed: a staff account (officer's phone), a citizen's report or a citizen's participation
    request (both opted in with their tracking token). Exactly one of the three targets is set."""

    id = BigSerial(primary_key=True)
    tenant_id = Integer()
    kind = Varchar(length=8)  # webpush, fcm
    endpoint = Text()  # Web Push endpoint URL, or the FCM registration token
    p256dh = Varchar(length=200, default="")
    auth = Varchar(length=100, default="")
    account_id = Integer(null=True, default=None, index=True)
    incident_id = BigInt(null=True, default=None, index=True)
    request_id = BigInt(null=True, default=None, index=True)
    language = Varchar(length=5, default="es")
    created_at = Timestamptz(default=TimestamptzNow())
    last_success_at = Timestamptz(null=True, default=None)
    failures = Integer(default=0)
