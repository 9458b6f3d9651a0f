"""``POST /api/v1/sms/inbound``: the SMS gateway's webhook (form-encoded, Twilio's fields and signature),
answered with TwiML the gateway texts back to the sender."""

from __future__ import annotations

from litestar import Controller, Request, Response, post
from litestar.datastructures import State
from litestar.openapi.datastructures import ResponseSpec

from sereno.core.openapi import errors
from sereno.sms import service
from sereno.sms.replies import twiml
from sereno.sms.signature import SIGNATURE_HEADER
from sereno.tenants import service as tenants

__all__ = ["SmsController"]


def _public_url(request: Request, state: State) -> str:
    """The URL the gateway called and signed: behind a proxy the app sees another, so the public base URL
    plus the path (and query) as received."""
    query = request.scope.get("query_string", b"").decode()
    url = state.settings.server.public_url.rstrip("/") + request.url.path
    return f"{url}?{query}" if query else url


class SmsController(Controller):
    path = "/api/v1/sms"
    tags = ["sms"]  # noqa: RUF012 - Litestar's declaration style

    @post("/inbound", operation_id="receiveSms", status_code=200,
          summary="An SMS gateway's inbound-message webhook (Twilio-compatible: form fields and signature)",
          description="Form fields From, To, Body, MessageSid (others are signed but ignored); header "
          "X-Twilio-Signature. Replies with TwiML. 403 bad signature, 400 missing field, 503 not configured.",
          responses={200: ResponseSpec(data_container=str, media_type="text/xml", description="TwiML reply"),
                     **errors(403, 404, 503)})
    async def inbound(self, request: Request, state: State) -> Response:
        form = await request.form()
        text = service.authenticate(
            settings=state.settings.sms, url=_public_url(request, state),
            form={name: form.getall(name) for name in form}, signed=request.headers.get(SIGNATURE_HEADER),
        )
        slug = service.tenant_slug_for(state.settings.sms, text.to, state.settings.server.default_tenant)
        reply = await service.receive(text=text, tenant=await tenants.get_tenant(slug=slug),
                                      now=state.clock.now(), callback_sla_s=state.settings.dispatch.callback_sla_s)
        return Response(twiml(reply), media_type="text/xml", headers={"Cache-Control": "no-store"})
