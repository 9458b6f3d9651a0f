"""Open311 GeoReport v2 under ``/open311/v2/``: services are the tenant's categories, POST goes through the
report intake, and every GET of requests is drawn from the public projection."""
