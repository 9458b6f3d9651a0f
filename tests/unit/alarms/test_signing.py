"""Partner keys and signatures without a database: derived keys, HMAC over ``timestamp.body``, two keys."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from sereno.alarms import mapping, signing
from sereno.core.errors import Unprocessable

SECRET = b"instance-secret"


def test_a_key_is_derived_from_the_instance_secret_and_its_salt_and_never_equals_them():
    salt = signing.new_salt()

    key = signing.derive_key(SECRET, salt)

    assert key == signing.derive_key(SECRET, salt)
    assert key != signing.derive_key(b"another-instance", salt)
    assert key != signing.derive_key(SECRET, signing.new_salt())
    assert salt not in key and signing.fingerprint(key) != key


def test_the_signature_is_a_plain_hmac_sha256_of_timestamp_dot_body():
    expected = hmac.new(b"k", b"1700000000.{}", hashlib.sha256).hexdigest()

    assert signing.sign("k", "1700000000", b"{}") == "sha256=" + expected


def test_either_of_two_valid_keys_verifies_and_nothing_else_does():
    old, new = signing.derive_key(SECRET, signing.new_salt()), signing.derive_key(SECRET, signing.new_salt())
    signature = signing.sign(new, "1700000000", b"body")

    assert signing.signature_matches([old, new], "1700000000", b"body", signature)
    assert not signing.signature_matches([old], "1700000000", b"body", signature)
    assert not signing.signature_matches([old, new], "1700000001", b"body", signature)
    assert not signing.signature_matches([old, new], "1700000000", b"body!", signature)
    assert not signing.signature_matches([], "1700000000", b"body", signature)


@pytest.mark.parametrize(("kind", "event_type", "role"), [
    ("alarm", "panic", "alarm"), ("alarm", "duress", "alarm"), ("alarm", "test", "test"),
    ("alarm", "heartbeat", "heartbeat"), ("alarm", "restore", "restore"), ("alarm", "cancel", "cancel"),
    ("sensor", "gunshot", "alarm"), ("sensor", "heartbeat", "heartbeat"),
])
def test_the_role_of_each_event_type(kind, event_type, role):
    assert mapping.role_of(kind, event_type) == role


def test_an_alarm_partner_cannot_raise_sensor_types():
    with pytest.raises(Unprocessable):
        mapping.role_of("alarm", "gunshot")
