"""The public projection: what may be published of a resolved incident, written by the worker after the
publication delay. The public feed, the statistics and Open311 GET read only this table."""

from __future__ import annotations

from piccolo.columns import (
    BigInt,
    BigSerial,
    Boolean,
    Date,
    DoublePrecision,
    Integer,
    SmallInt,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

__all__ = ["PublicFeedState", "PublicIncident"]


class PublicIncident(Table, tablename="public_incident"):
    id = BigSerial(primary_key=True)
    tenant_id = Integer(index=True)
    # The private link, used only to keep the projection in step; never output.
    incident_id = BigInt(unique=True)
    # The reference code (Open311's service_request_id); null for sensitive categories.
    code = Varchar(length=24, null=True, default=None)
    category_id = Integer()
    sensitive = Boolean(default=False)
    # An item of the feed, GeoJSON, CSV and Open311: confirmed and not sensitive. The others (sensitive,
    # unfounded) only count in the statistics.
    listed = Boolean(default=False)
    # The district (patrol sector) of the true location.
    sector_id = Integer(null=True, default=None)
    month = Date()
    # Always stored for the statistics; an item shows them only as its time detail allows.
    day = Date()
    hour_band = SmallInt()
    weekday = SmallInt()
    time_detail = Varchar(length=10)  # month, date, hour_band
    resolved_on = Date()
    status = Varchar(length=16)
    outcome = Varchar(length=24)
    # Seconds from the report to the first unit on scene (null: none went) and to resolution.
    response_s = Integer(null=True, default=None)
    resolution_s = Integer(null=True, default=None)
    # The masked grid cell; the published point follows from the level (cell, coarse, district).
    cell_x = Integer(null=True, default=None)
    cell_y = Integer(null=True, default=None)
    level = Varchar(length=8, default="district")
    lon = DoublePrecision(null=True, default=None)
    lat = DoublePrecision(null=True, default=None)
    published_at = Timestamptz(default=TimestamptzNow())
    # Changes when the item's published form changes (a finer level once its cell reaches k).
    updated_at = Timestamptz(default=TimestamptzNow(), index=True)


class PublicFeedState(Table, tablename="public_feed_state"):
    """One row per tenant whose version changes whenever its projection does: public responses are cached
    and their ETags derived from it, so a repeat request costs no query over the projection."""

    tenant_id = Integer(primary_key=True)
    version = BigInt(default=0)
    changed_at = Timestamptz(default=TimestamptzNow())
