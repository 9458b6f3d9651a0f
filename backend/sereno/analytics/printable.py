"""The weekly report as a document a mayor can hand out: HTML with its own print stylesheet, bars drawn
with plain boxes (no script, so it prints the same from any browser or to PDF)."""

from __future__ import annotations

from html import escape
from zoneinfo import ZoneInfo

from sereno.analytics.schemas import Compared, Durations, WeeklyReport

__all__ = ["render"]

_TEXT = {
    "es": {
        "title": "Informe semanal de seguridad ciudadana",
        "period": "Periodo",
        "generated": "Generado",
        "total": "Incidentes",
        "previous": "Promedio de las 4 semanas anteriores",
        "last_year": "Misma semana del año pasado",
        "by_category": "Por tipo de incidente",
        "by_sector": "Por sector",
        "by_hour": "Por hora del día",
        "by_weekday": "Por día de la semana",
        "by_month": "Tendencia mensual",
        "times": "Tiempos de respuesta (mediana / p90, minutos)",
        "to_dispatch": "Reporte → despacho",
        "to_scene": "Reporte → en el lugar",
        "to_resolve": "Reporte → resuelto",
        "callbacks": "Devoluciones de llamada",
        "compliance": "Cumplimiento del plazo",
        "unfounded": "Reportes infundados",
        "units": "Unidades: horas de servicio y ocupación",
        "duty": "En servicio (h)",
        "busy": "En casos (h)",
        "share": "Ocupación",
        "cases": "Casos",
        "current": "Periodo",
        "change": "Variación",
        "due": "vencían",
        "on_time": "a tiempo",
        "late": "tarde",
        "overdue": "pendientes vencidas",
        "unit": "Unidad",
        "name": "Nombre",
        "participation": "Reclamos, sugerencias y consultas de vecinos",
        "department": "Área",
        "received": "Recibidas",
        "answered": "Respondidas",
        "answered_on_time": "En plazo",
        "open_overdue": "Abiertas vencidas",
        "median_answer": "Mediana de respuesta (h)",
    },
    "en": {
        "title": "Weekly citizen-safety report",
        "period": "Period",
        "generated": "Generated",
        "total": "Incidents",
        "previous": "Average of the previous 4 weeks",
        "last_year": "Same week last year",
        "by_category": "By incident type",
        "by_sector": "By sector",
        "by_hour": "By hour of day",
        "by_weekday": "By weekday",
        "by_month": "Monthly trend",
        "times": "Response times (median / p90, minutes)",
        "to_dispatch": "Report → dispatch",
        "to_scene": "Report → on scene",
        "to_resolve": "Report → resolved",
        "callbacks": "Callbacks",
        "compliance": "Within the deadline",
        "unfounded": "Unfounded reports",
        "units": "Units: hours on duty and busy",
        "duty": "On duty (h)",
        "busy": "On cases (h)",
        "share": "Busy",
        "cases": "Cases",
        "current": "Period",
        "change": "Change",
        "due": "due",
        "on_time": "on time",
        "late": "late",
        "overdue": "overdue, not done",
        "unit": "Unit",
        "name": "Name",
        "participation": "Citizens' complaints, suggestions and questions",
        "department": "Department",
        "received": "Received",
        "answered": "Answered",
        "answered_on_time": "On time",
        "open_overdue": "Open, overdue",
        "median_answer": "Median answer (h)",
    },
}

_STYLE = """
body{font:14px/1.4 system-ui,sans-serif;color:#111;margin:24px;max-width:1000px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px;border-bottom:2px solid #0b4f6c}
.kpis{display:flex;gap:12px;flex-wrap:wrap}.kpi{border:1px solid #ccc;border-radius:6px;padding:8px 12px}
.kpi b{display:block;font-size:20px}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:3px 6px;text-align:left}td.n,th.n{text-align:right}
.bar{background:#0b4f6c;height:12px;print-color-adjust:exact;-webkit-print-color-adjust:exact}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:16px}
@media print{body{margin:10mm}h2{break-after:avoid}table,.kpis{break-inside:avoid}}
"""


def _bar(value: float, top: float) -> str:
    width = 0 if not top else round(100 * value / top, 1)
    return f'<div class="bar" style="width:{width}%"></div>'


def _compared(rows: list[Compared], t: dict[str, str]) -> str:
    top = max((r.current for r in rows), default=0)
    body = "".join(
        f"<tr><td>{escape(r.name)}</td><td class=n>{r.current}</td><td>{_bar(r.current, top)}</td>"
        f"<td class=n>{r.previous_avg:.1f}</td><td class=n>{r.last_year}</td>"
        f"<td class=n>{'' if r.change_pct is None else f'{r.change_pct:+.0f} %'}</td></tr>"
        for r in rows
    )
    return (
        f"<table><tr><th>{t['name']}</th><th class=n>{t['current']}</th><th></th><th class=n>{t['previous']}</th>"
        f"<th class=n>{t['last_year']}</th><th class=n>{t['change']}</th></tr>{body}</table>"
    )


def _duration(d: Durations) -> str:
    if d.median_min is None:
        return "–"
    return f"{d.median_min:.0f} / {d.p90_min:.0f}"


def render(report: WeeklyReport, *, lang: str) -> str:
    t = _TEXT[lang]
    tz = ZoneInfo(report.time_zone)
    start = report.period_from.astimezone(tz)
    last_day = (
        report.period_to.astimezone(tz).date().fromordinal(report.period_to.astimezone(tz).toordinal() - 1)
    )
    period = f"{start:%Y-%m-%d} – {last_day:%Y-%m-%d}"
    hour_top = max((h.current for h in report.by_hour), default=0)
    day_top = max((d.current for d in report.by_weekday), default=0)
    month_top = max((m.count for m in report.by_month), default=0)
    cb = report.callbacks
    share = "–" if report.unfounded_share is None else f"{100 * report.unfounded_share:.1f} %"
    compliance = "–" if cb.compliance is None else f"{100 * cb.compliance:.0f} %"
    parts = [
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">',
        f"<title>{t['title']} — {escape(report.tenant_name)} — {period}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{t['title']}</h1><p>{escape(report.tenant_name)} · {t['period']}: {period} · "
        f"{t['generated']}: {report.generated_at.astimezone(tz):%Y-%m-%d %H:%M}</p>",
        '<div class="kpis">',
        f"<div class=kpi>{t['total']}<b>{report.total}</b></div>",
        f"<div class=kpi>{t['previous']}<b>{report.previous_avg:.1f}</b></div>",
        f"<div class=kpi>{t['last_year']}<b>{report.last_year}</b></div>",
        f"<div class=kpi>{t['unfounded']}<b>{share}</b></div>",
        f"<div class=kpi>{t['compliance']}<b>{compliance}</b></div>",
        "</div>",
        f"<h2>{t['by_category']}</h2>{_compared(report.by_category, t)}",
        f"<h2>{t['by_sector']}</h2>{_compared(report.by_sector, t)}",
        '<div class="cols"><section>',
        f"<h2>{t['by_hour']}</h2><table>",
        *(
            f"<tr><td>{h.name}</td><td class=n>{h.current}</td><td>{_bar(h.current, hour_top)}</td></tr>"
            for h in report.by_hour
        ),
        "</table></section><section>",
        f"<h2>{t['by_weekday']}</h2><table>",
        *(
            f"<tr><td>{d.name}</td><td class=n>{d.current}</td><td>{_bar(d.current, day_top)}</td></tr>"
            for d in report.by_weekday
        ),
        f"</table><h2>{t['by_month']}</h2><table>",
        *(
            f"<tr><td>{m.month}</td><td class=n>{m.count}</td><td>{_bar(m.count, month_top)}</td></tr>"
            for m in report.by_month
        ),
        "</table></section></div>",
        f"<h2>{t['times']}</h2><table><tr><th></th><th class=n>{t['total']}</th><th class=n>{t['to_dispatch']}</th>"
        f"<th class=n>{t['to_scene']}</th><th class=n>{t['to_resolve']}</th></tr>",
        *(
            f"<tr><td>{escape(s.name)}</td><td class=n>{s.incidents}</td><td class=n>{_duration(s.to_dispatch)}</td>"
            f"<td class=n>{_duration(s.to_scene)}</td><td class=n>{_duration(s.to_resolve)}</td></tr>"
            for s in report.times
        ),
        "</table>",
        f"<h2>{t['callbacks']}</h2><p>{cb.due} {t['due']} · {cb.on_time} {t['on_time']} · {cb.late} {t['late']} · "
        f"{cb.overdue} {t['overdue']}</p>",
        f"<h2>{t['units']}</h2><table><tr><th>{t['unit']}</th><th class=n>{t['duty']}</th><th class=n>{t['busy']}</th>"
        f"<th class=n>{t['share']}</th><th class=n>{t['cases']}</th></tr>",
        *(
            f"<tr><td>{escape(u.call_sign)}</td><td class=n>{u.duty_h:.1f}</td><td class=n>{u.busy_h:.1f}</td>"
            f"<td class=n>{'–' if u.busy_share is None else f'{100 * u.busy_share:.0f} %'}</td><td class=n>{u.cases}</td></tr>"
            for u in report.units
        ),
        "</table>",
        f"<h2>{t['participation']}</h2><table><tr><th>{t['department']}</th><th class=n>{t['received']}</th>"
        f"<th class=n>{t['answered']}</th><th class=n>{t['answered_on_time']}</th><th class=n>{t['open_overdue']}</th>"
        f"<th class=n>{t['median_answer']}</th></tr>",
        *(
            f"<tr><td>{escape(d.name)}</td><td class=n>{d.received}</td><td class=n>{d.answered}</td>"
            f"<td class=n>{d.on_time}{'' if d.on_time_share is None else f' ({100 * d.on_time_share:.0f} %)'}</td>"
            f"<td class=n>{d.overdue}</td><td class=n>{'–' if d.median_answer_h is None else d.median_answer_h}</td></tr>"
            for d in report.participation
        ),
        "</table></body></html>",
    ]
    return "".join(parts)
