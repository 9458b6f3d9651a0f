"""The category's first guess from the words, and the gateway's signature checked against Twilio's own
validator (the reference implementation of the scheme)."""

from __future__ import annotations

import pytest
from sereno.sms import keywords, signature
from twilio.request_validator import RequestValidator

KNOWN = {code for code, _ in keywords.DEFAULT_KEYWORDS} | {"other"}


@pytest.mark.parametrize(("text", "category"), [
    ("Me robaron el celular en la plaza", "robbery_assault"),
    ("ASALTÓ a una señora un tipo en moto", "robbery_assault"),
    ("Accidente de tránsito en la Av. Larco", "accident"),
    ("Mucho ruido, fiesta hasta las 4am", "noise_disturbance"),
    ("Incendio en un depósito", "fire"),
    ("Venden droga en el parque", "drug_activity"),
    ("Hay un sujeto sospechoso mirando las casas", "suspicious_activity"),
    ("Un perro suelto en la calle", "other"),
    ("Necesito información del serenazgo", "other"),
])
def test_keywords_guess_the_category(text, category):
    assert keywords.category_for(text, known=KNOWN) == category


def test_a_category_the_city_lacks_is_never_guessed():
    assert keywords.category_for("incendio", known={"other"}) == "other"


PARAMS = {
    "MessageSid": ["SM0123456789abcdef0123456789abcdef"],
    "From": ["+51944123456"],
    "To": ["+51944000111"],
    "Body": ["Robo en -8.1116, -79.0287 ¡ayuda!"],
    "AccountSid": ["AC0123456789abcdef0123456789abcdef"],
    "NumMedia": ["0"],
}
URL = "https://sereno.example.pe/api/v1/sms/inbound"


def _flat(params):
    return {k: v[0] for k, v in params.items()}


def test_signature_is_twilios():
    expected = RequestValidator("token-123").compute_signature(URL, _flat(PARAMS))

    assert signature.compute("token-123", URL, PARAMS) == expected
    assert signature.matches("token-123", URL, PARAMS, expected)


@pytest.mark.parametrize("change", ["token", "url", "body", "missing"])
def test_a_signature_over_anything_else_does_not_match(change):
    good = RequestValidator("token-123").compute_signature(URL, _flat(PARAMS))
    token, url, params, sig = "token-123", URL, dict(PARAMS), good
    if change == "token":
        token = "token-124"
    elif change == "url":
        url = URL.replace("https", "http")
    elif change == "body":
        params["Body"] = ["Robo en otra parte"]
    else:
        sig = None

    assert not signature.matches(token, url, params, sig)


def test_no_auth_token_never_matches():
    assert not signature.matches("", URL, PARAMS, signature.compute("", URL, PARAMS))


@pytest.mark.parametrize(("text", "category"), [
    ("Someone stole my phone at the plaza", "robbery_assault"),
    ("I was mugged outside the hotel", "robbery_assault"),
    ("There is a fire near the market", "fire"),
    ("A man is injured, send an ambulance", "medical_emergency"),
    ("Car crash on the avenue", "accident"),
    ("Loud music all night", "noise_disturbance"),
    ("Hay mucho ruido en la calle Robles", "noise_disturbance"),  # a street's name is not a robbery
])
def test_english_words_are_understood_too(text, category):
    assert keywords.category_for(text, known=KNOWN) == category


@pytest.mark.parametrize(("text", "lang"), [
    ("Someone stole my phone at the plaza", "en"),
    ("There is a fire near the market, please help", "en"),
    ("Me robaron el celular en la plaza", "es"),
    ("Hay un sospechoso rondando las casas", "es"),
    ("Robo", "es"),  # nothing tells: the city's language
    ("-8.1116, -79.0288", "es"),
])
def test_the_reply_language_follows_the_text(text, lang):
    assert keywords.language_of(text) == lang
