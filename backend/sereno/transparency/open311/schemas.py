"""GeoReport v2 shapes, field for field as the specification names them (``long``, not ``lon``).

Public structs only: a request's fields come from the public projection (or, for a request not yet published,
from its code, category and status alone), so no private field can reach them by accident."""

from __future__ import annotations

from datetime import datetime

import msgspec

__all__ = [
    "Attribute",
    "AttributeValue",
    "Discovery",
    "Endpoint",
    "Error",
    "RequestCreated",
    "RequestFilters",
    "Service",
    "ServiceDefinition",
    "ServiceRequest",
    "TokenResolved",
]


class Endpoint(msgspec.Struct, frozen=True, kw_only=True):
    specification: str
    url: str
    changeset: datetime
    type: str
    formats: list[str]


class Discovery(msgspec.Struct, frozen=True, kw_only=True):
    changeset: datetime
    contact: str
    key_service: str
    endpoints: list[Endpoint]


class Service(msgspec.Struct, frozen=True, kw_only=True):
    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: str
    keywords: str
    group: str


class AttributeValue(msgspec.Struct, frozen=True):
    key: str
    name: str


class Attribute(msgspec.Struct, frozen=True, kw_only=True):
    # False: information shown to the person (e.g. "call 105"), not a question.
    variable: bool
    code: str
    datatype: str  # string, number, datetime, text, singlevaluelist, multivaluelist
    required: bool
    datatype_description: str | None
    order: int
    description: str
    values: list[AttributeValue] = []


class ServiceDefinition(msgspec.Struct, frozen=True):
    service_code: str
    attributes: list[Attribute]


class RequestCreated(msgspec.Struct, frozen=True, kw_only=True):
    service_request_id: str
    service_notice: str | None
    account_id: str | None
    # The request is created synchronously; the token is for clients that look it up anyway.
    token: str


class ServiceRequest(msgspec.Struct, frozen=True, kw_only=True):
    service_request_id: str
    status: str  # open, closed
    status_notes: str | None
    service_name: str | None
    service_code: str
    description: str | None  # never the citizen's text
    agency_responsible: str | None
    service_notice: str | None
    requested_datetime: datetime  # at the published precision (see docs/open311.md)
    updated_datetime: datetime | None
    expected_datetime: datetime | None
    address: str | None  # the district's name, nothing finer
    address_id: str | None
    zipcode: str | None
    lat: float | None  # the published cell's centre; None when published with its district only
    long: float | None
    media_url: str | None  # never published


class TokenResolved(msgspec.Struct, frozen=True):
    service_request_id: str
    token: str


class Error(msgspec.Struct, frozen=True):
    code: int
    description: str


class RequestFilters(msgspec.Struct, frozen=True, kw_only=True):
    """GET requests' parameters, validated; the window is always bounded (90 days by default)."""

    ids: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    start: datetime
    end: datetime
    statuses: frozenset[str] = frozenset({"open", "closed"})
