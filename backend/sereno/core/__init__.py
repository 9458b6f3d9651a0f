"""Infrastructure that knows no domain: database, geometry, errors, i18n, clock, outbox."""
