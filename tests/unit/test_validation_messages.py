from sereno.core._validation_messages import explain


def test_common_msgspec_messages_are_rephrased_in_spanish():
    assert explain("Expected `float`, got `str`", "es") == "se esperaba un número, se recibió un texto"
    assert explain("Expected `float` <= 90", "es") == "debe ser menor o igual que 90"
    assert explain("Expected `str` of length <= 2000", "es") == "admite como máximo 2000 caracteres"
    assert explain("Object contains unknown field `foo`", "es") == "campo desconocido «foo»"
    assert explain("Object missing required field `location`", "es") == "falta el campo obligatorio «location»"
    assert explain("Expected `array` of length <= 5", "es") == "admite como máximo 5 elementos"
    assert explain("Object contains unknown field ``", "es") == "campo desconocido «»"
    missing = "Missing required header parameter 'idempotency-key' for path /api/v1/reports"
    assert explain(missing, "es") == "falta el parámetro obligatorio «idempotency-key»"


def test_english_requests_keep_msgspec_wording():
    assert explain("Expected `float`, got `str`", "en") == "Expected `float`, got `str`"


def test_unknown_messages_pass_through():
    assert explain("something new", "es") == "something new"
