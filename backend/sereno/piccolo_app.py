"""Piccolo app: the tables Sereno owns and where their migrations live."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from sereno.accounts.tables import AuditEntry, LoginThrottle, StaffAccount, StaffSession
from sereno.alarms.tables import (
    AlarmCallback,
    AlarmDevice,
    AlarmEvent,
    AlarmEventMapping,
    AlarmPartner,
    AlarmPartnerKey,
)
from sereno.core.tables import IdempotencyRecord, InstanceSetting, OutboxEvent
from sereno.dispatch.tables import Assignment, Unit, UnitMember, UnitPosition, UnitShift
from sereno.incidents.tables import Incident, IncidentEvent, ReporterContact
from sereno.media.tables import Attachment
from sereno.notifications.tables import PushSubscription
from sereno.participation.tables import (
    Department,
    DepartmentMember,
    ParticipationContact,
    ParticipationEvent,
    ParticipationRequest,
    ParticipationTopic,
)
from sereno.tenants.tables import Category, Sector, Tenant
from sereno.transparency.open311.tables import Open311Client
from sereno.transparency.tables import PublicFeedState, PublicIncident

APP_CONFIG = AppConfig(
    app_name="sereno",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=[
        Tenant,
        Sector,
        Category,
        Incident,
        IncidentEvent,
        ReporterContact,
        Attachment,
        StaffAccount,
        StaffSession,
        AuditEntry,
        LoginThrottle,
        Unit,
        UnitMember,
        UnitPosition,
        Assignment,
        UnitShift,
        PushSubscription,
        OutboxEvent,
        IdempotencyRecord,
        InstanceSetting,
        PublicIncident,
        PublicFeedState,
        Open311Client,
        AlarmPartner,
        AlarmPartnerKey,
        AlarmDevice,
        AlarmEvent,
        AlarmEventMapping,
        AlarmCallback,
        Department,
        DepartmentMember,
        ParticipationTopic,
        ParticipationRequest,
        ParticipationContact,
        ParticipationEvent,
    ],
    migration_dependencies=[],
    commands=[],
)
