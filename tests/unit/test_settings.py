import pytest

from sereno.settings import ConfigError, load_settings


def test_defaults_need_no_environment():
    settings = load_settings({})
    assert settings.server.port == 8000 and settings.media.backend == "local"


def test_a_wrong_value_names_its_variable():
    with pytest.raises(ConfigError, match="SERENO_PORT"):
        load_settings({"SERENO_PORT": "eighty"})
    with pytest.raises(ConfigError, match="SERENO_MEDIA_BACKEND"):
        load_settings({"SERENO_MEDIA_BACKEND": "ftp"})
    with pytest.raises(ConfigError, match="SERENO_DB_POOL_SIZE"):
        load_settings({"SERENO_DB_POOL_SIZE": "0"})


def test_s3_backend_requires_a_bucket():
    with pytest.raises(ConfigError, match="SERENO_S3_BUCKET"):
        load_settings({"SERENO_MEDIA_BACKEND": "s3"})


def test_values_are_converted_from_strings():
    settings = load_settings({"SERENO_PORT": "9000", "SERENO_WORKER_IN_PROCESS": "false"})
    assert settings.server.port == 9000 and settings.server.worker_in_process is False
