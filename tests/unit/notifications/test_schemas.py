"""What the push API accepts, and what a phone is sent in which language."""

from __future__ import annotations

import base64
import os

import msgspec
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sereno.notifications.schemas import (
    FcmSubscriptionIn,
    PushMessage,
    PushText,
    SubscriptionIn,
    WebPushSubscriptionIn,
)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _browser_subscription(**changes) -> dict:
    point = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        Encoding.X962, PublicFormat.UncompressedPoint
    )
    body = {
        "kind": "webpush",
        "endpoint": "https://fcm.googleapis.com/fcm/send/dGVzdA:APA91b",
        "expirationTime": None,
        "keys": {"p256dh": _b64(point), "auth": _b64(os.urandom(16))},
    }
    body.update(changes)
    return body


def _decode(body: dict):
    return msgspec.json.decode(msgspec.json.encode(body), type=SubscriptionIn)


def test_a_browsers_push_subscription_is_accepted_as_it_comes():
    parsed = _decode(_browser_subscription())
    assert isinstance(parsed, WebPushSubscriptionIn) and parsed.endpoint.startswith("https://")


def test_an_fcm_token_is_accepted():
    assert _decode({"kind": "fcm", "token": "cX1:APA91bH-abc_def"}) == FcmSubscriptionIn(token="cX1:APA91bH-abc_def")


@pytest.mark.parametrize(
    "changes",
    [
        {"endpoint": "ftp://push.example.com/x"},
        {"endpoint": "https://push.example.com/" + "x" * 1000},
        {"endpoint": "https://user@push.example.com/x"},
        {"keys": {"p256dh": "A" * 87, "auth": _b64(os.urandom(16))}},  # not a point on the curve
        {"keys": {"p256dh": _b64(b"\x04" + os.urandom(64)), "auth": _b64(os.urandom(15))}},
        {"kind": "apns"},
        {"unexpected": 1},
    ],
    ids=["scheme", "too-long", "userinfo", "p256dh-off-curve", "auth-length", "unknown-kind", "unknown-field"],
)
def test_a_subscription_that_could_never_be_delivered_is_refused(changes):
    with pytest.raises(msgspec.ValidationError):
        _decode(_browser_subscription(**changes))


def test_fcm_token_with_whitespace_is_refused():
    with pytest.raises(msgspec.ValidationError):
        _decode({"kind": "fcm", "token": "abc def"})


def test_message_is_sent_in_the_subscribers_language_and_falls_back_to_the_default():
    message = PushMessage(
        title="Unidad en camino", body="Llega en 5 min", url="/#/r/TST1", tag="r-TST1",
        translations={"en": PushText(title="Unit on its way", body="Arrives in 5 min")},
    )
    assert message.for_language("en").title == "Unit on its way"
    assert message.for_language("qu").title == "Unidad en camino"
    assert message.for_language("en").url == "/#/r/TST1"
