from sereno.core.i18n import negotiate, translate


def test_spanish_is_the_default_and_q_values_are_honoured():
    assert negotiate(None) == "es"
    assert negotiate("fr-FR") == "es"
    assert negotiate("en-US,en;q=0.9") == "en"
    assert negotiate("es-PE,en;q=0.5") == "es"
    assert negotiate("en;q=0.3,es;q=0.8") == "es"


def test_messages_exist_in_both_languages():
    assert "fuera del área" in translate("outside_service_area", "es", tenant="Trujillo")
    assert "outside" in translate("outside_service_area", "en", tenant="Trujillo")
