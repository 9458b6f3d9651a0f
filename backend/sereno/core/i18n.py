"""Spanish-first messages and Accept-Language negotiation (es-PE default, English second)."""

from __future__ import annotations

__all__ = ["LANGUAGES", "negotiate", "translate"]

LANGUAGES = ("es", "en")

_MESSAGES: dict[str, dict[str, str]] = {
    "es": {
        "invalid_request": "La solicitud no es válida: {detail}",
        "invalid_field": "El campo «{field}» no es válido: {detail}",
        "idempotency_key_required": "Falta la cabecera Idempotency-Key (un identificador único por reporte).",
        "idempotency_key_invalid": "La cabecera Idempotency-Key debe tener entre 8 y 200 caracteres visibles.",
        "idempotency_key_reused": "Esta Idempotency-Key ya se usó con otro contenido; genere una nueva para un reporte distinto.",
        "idempotency_in_progress": "Este reporte aún se está procesando; reintente en unos segundos.",
        "outside_service_area": "La ubicación está fuera del área de servicio de {tenant}. Mueva el marcador dentro del distrito.",
        "unknown_category": "La categoría «{category}» no existe.",
        "unknown_district": "El distrito «{district}» no existe.",
        "unknown_tenant": "Municipalidad desconocida: «{tenant}».",
        "report_not_found": "No encontramos un reporte con ese código y clave de seguimiento.",
        "contact_needs_phone_or_email": "Para que le devuelvan la llamada, indique un teléfono o un correo.",
        "too_many_photos": "Puede adjuntar como máximo {max} fotos.",
        "photo_not_found": "La foto {id} no existe o ya fue usada en otro reporte.",
        "photo_not_ready": "La foto {id} aún no terminó de subirse.",
        "photo_wrong_type": "El archivo no es una imagen JPEG, PNG, WebP o HEIC.",
        "photo_type_mismatch": "El contenido del archivo no corresponde al tipo declarado ({declared}).",
        "photo_truncated": "La imagen está incompleta o dañada; vuelva a intentarlo.",
        "photo_too_large": "La imagen supera el tamaño máximo de {max_mb} MB.",
        "photo_too_many_pixels": "La imagen es demasiado grande (más de {max_mp} megapíxeles).",
        "photo_polyglot": "El archivo contiene datos que no son de imagen y fue rechazado.",
        "photo_missing": "No recibimos el archivo de la foto; súbalo de nuevo.",
        "upload_not_found": "La subida no existe o expiró.",
        "upload_denied": "El enlace de subida no es válido o expiró.",
        "unsupported_photo_type": "Solo se aceptan fotos JPEG, PNG, WebP o HEIC.",
        "rate_limited": "Demasiadas solicitudes. Espere {seconds} segundos e intente de nuevo.",
        "not_found": "No encontrado.",
        "no_contact": "Este caso no tiene datos de contacto que borrar (o ya se borraron).",
        "alarm_unauthorized": "Firma, marca de tiempo o socio no válidos.",
        "alarm_device_unknown": "El dispositivo no está registrado o está inactivo.",
        "alarm_event_replayed": "Este event_id ya fue recibido.",
        "sms_not_configured": "La recepción de SMS no está configurada (SERENO_SMS_AUTH_TOKEN).",
        "sms_signature_invalid": "Falta la firma X-Twilio-Signature o no es válida.",
        "missing_field": "Falta el campo «{field}».",
        "alarm_event_type_unknown": "Tipo de evento no admitido: {type}.",
        "service_unavailable": "El servicio no está disponible en este momento; intente de nuevo en unos segundos.",
        "invalid_token": "La sesión no es válida; inicie sesión de nuevo.",
        "session_ended": "La sesión terminó; inicie sesión de nuevo.",
        "login_required": "Inicie sesión para continuar.",
        "forbidden_for_role": "Su rol ({role}) no permite esta acción.",
        "invalid_credentials": "Usuario o contraseña incorrectos.",
        "too_many_logins": "Demasiados intentos fallidos. Espere {seconds} segundos.",
        "username_taken": "El usuario «{username}» ya existe.",
        "call_sign_taken": "La unidad «{call_sign}» ya existe.",
        "illegal_transition": "Esta acción no es posible en el estado actual ({current}).",
        "stale_version": "Otra persona modificó este incidente; revise los cambios (estado actual: {current}).",
        "already_assigned": "La unidad ya está asignada a este incidente.",
        "unit_not_on_duty": "La unidad {unit} no está en servicio o tiene una emergencia.",
        "unit_busy": "La unidad tiene asignaciones activas; ciérrelas antes de terminar el turno.",
        "no_unit": "No pertenece a ninguna unidad; inicie turno en una unidad.",
        "unknown_command": "Acción desconocida.",
        "status_new": "Recibido",
        "status_triaged": "En revisión",
        "status_dispatched": "Unidad asignada",
        "status_en_route": "Unidad en camino",
        "status_on_scene": "Unidad en el lugar",
        "status_resolved": "Atendido",
        "status_closed": "Cerrado",
        "status_duplicate": "Unido a otro reporte",
        "status_unfounded": "No confirmado",
        "status_cancelled": "Cancelado",
        "event_reported": "Reporte recibido",
        "event_photo_added": "Foto recibida",
        "event_triaged": "Reporte revisado por la central",
        "event_dispatched": "Se asignó una unidad",
        "event_en_route": "La unidad va en camino",
        "event_on_scene": "La unidad llegó al lugar",
        "event_resolved": "Incidente atendido",
        "event_closed": "Caso cerrado",
        "event_unfounded": "No se confirmó el incidente",
        "event_cancelled": "Reporte cancelado",
        "event_duplicate": "Unido a otro reporte del mismo hecho",
        "event_status_changed": "Cambio de estado",
        "outcome_arrest": "Intervención con detenido",
        "outcome_referred_other": "Derivado a otra entidad",
        "outcome_resolved_on_scene": "Atendido en el lugar",
        "outcome_referred_police": "Derivado a la Policía Nacional",
        "outcome_unfounded": "No se confirmó el hecho",
        "outcome_no_one_found": "No se encontró a nadie en el lugar",
        "outcome_duplicate": "Atendido junto con otro reporte",
    },
    "en": {
        "invalid_request": "The request is not valid: {detail}",
        "invalid_field": "The field '{field}' is not valid: {detail}",
        "idempotency_key_required": "The Idempotency-Key header is missing (one unique id per report).",
        "idempotency_key_invalid": "The Idempotency-Key header must have 8 to 200 visible characters.",
        "idempotency_key_reused": "This Idempotency-Key was already used with different content; use a new key for a new report.",
        "idempotency_in_progress": "This report is still being processed; retry in a few seconds.",
        "outside_service_area": "The location is outside {tenant}'s service area. Move the pin inside the district.",
        "unknown_category": "The category '{category}' does not exist.",
        "unknown_district": "The district '{district}' does not exist.",
        "unknown_tenant": "Unknown municipality: '{tenant}'.",
        "report_not_found": "We found no report with that code and tracking key.",
        "contact_needs_phone_or_email": "To get a call back, give a phone number or an e-mail address.",
        "too_many_photos": "You can attach at most {max} photos.",
        "photo_not_found": "Photo {id} does not exist or was already used in another report.",
        "photo_not_ready": "Photo {id} has not finished uploading.",
        "photo_wrong_type": "The file is not a JPEG, PNG, WebP or HEIC image.",
        "photo_type_mismatch": "The file's content does not match its declared type ({declared}).",
        "photo_truncated": "The image is incomplete or damaged; please try again.",
        "photo_too_large": "The image is larger than the {max_mb} MB limit.",
        "photo_too_many_pixels": "The image is too large (more than {max_mp} megapixels).",
        "photo_polyglot": "The file contains non-image data and was rejected.",
        "photo_missing": "We did not receive the photo's file; please upload it again.",
        "upload_not_found": "The upload does not exist or has expired.",
        "upload_denied": "The upload link is not valid or has expired.",
        "unsupported_photo_type": "Only JPEG, PNG, WebP or HEIC photos are accepted.",
        "rate_limited": "Too many requests. Wait {seconds} seconds and try again.",
        "not_found": "Not found.",
        "no_contact": "This case has no contact data to erase (or it was already erased).",
        "alarm_unauthorized": "Invalid signature, timestamp or partner.",
        "alarm_device_unknown": "The device is not registered or is inactive.",
        "alarm_event_replayed": "This event_id was already received.",
        "sms_not_configured": "SMS intake is not configured (SERENO_SMS_AUTH_TOKEN).",
        "sms_signature_invalid": "The X-Twilio-Signature header is missing or wrong.",
        "missing_field": "The field “{field}” is missing.",
        "alarm_event_type_unknown": "Event type not accepted: {type}.",
        "service_unavailable": "The service is unavailable right now; try again in a few seconds.",
        "invalid_token": "The session is not valid; please log in again.",
        "session_ended": "The session has ended; please log in again.",
        "login_required": "Log in to continue.",
        "forbidden_for_role": "Your role ({role}) does not allow this action.",
        "invalid_credentials": "Wrong username or password.",
        "too_many_logins": "Too many failed attempts. Wait {seconds} seconds.",
        "username_taken": "The user '{username}' already exists.",
        "call_sign_taken": "The unit '{call_sign}' already exists.",
        "illegal_transition": "This action is not possible in the current state ({current}).",
        "stale_version": "Someone else changed this incident; review the changes (current state: {current}).",
        "already_assigned": "The unit is already assigned to this incident.",
        "unit_not_on_duty": "Unit {unit} is not on duty or has an emergency.",
        "unit_busy": "The unit has active assignments; close them before going off duty.",
        "no_unit": "You are not in a unit; go on duty in a unit first.",
        "unknown_command": "Unknown action.",
        "status_new": "Received",
        "status_triaged": "Under review",
        "status_dispatched": "Unit assigned",
        "status_en_route": "Unit on the way",
        "status_on_scene": "Unit on scene",
        "status_resolved": "Attended",
        "status_closed": "Closed",
        "status_duplicate": "Merged with another report",
        "status_unfounded": "Not confirmed",
        "status_cancelled": "Cancelled",
        "event_reported": "Report received",
        "event_photo_added": "Photo received",
        "event_triaged": "Report reviewed by the command center",
        "event_dispatched": "A unit was assigned",
        "event_en_route": "The unit is on its way",
        "event_on_scene": "The unit arrived",
        "event_resolved": "Incident attended",
        "event_closed": "Case closed",
        "event_unfounded": "The incident could not be confirmed",
        "event_cancelled": "Report cancelled",
        "event_duplicate": "Merged with another report of the same event",
        "event_status_changed": "Status changed",
        "outcome_arrest": "Arrest made",
        "outcome_referred_other": "Referred to another agency",
        "outcome_resolved_on_scene": "Attended on site",
        "outcome_referred_police": "Referred to the National Police",
        "outcome_unfounded": "Not confirmed",
        "outcome_no_one_found": "No one found at the scene",
        "outcome_duplicate": "Handled with another report",
    },
}


def negotiate(accept_language: str | None, default: str = "es") -> str:
    """Pick es or en from an Accept-Language header, honouring q-values."""
    if not accept_language:
        return default
    best, best_q = default, -1.0
    for part in accept_language.split(","):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        lang = tag.strip().lower().split("-")[0]
        if lang in LANGUAGES and q > best_q:
            best, best_q = lang, q
    return best


def translate(key: str, lang: str, **params: object) -> str:
    table = _MESSAGES.get(lang, _MESSAGES["es"])
    template = table.get(key) or _MESSAGES["es"].get(key) or key
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template
