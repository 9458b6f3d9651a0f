"""Demo data for two tenants: Trujillo and Miraflores (Lima).

Every coordinate here is approximate, drawn by hand from general knowledge of the two cities to look plausible
on a map; none is a surveyed boundary, an official district limit or an official patrol sector. Sectors are
given as named seed points: the loader turns them into Voronoi cells clipped to the service area, so they tile
it exactly without hand-drawing shared edges.
"""

from __future__ import annotations

import msgspec

__all__ = ["CATEGORY_SHARES", "CITIES", "DemoCity", "Hotspot", "SectorSeed"]


class SectorSeed(msgspec.Struct, frozen=True):
    code: str
    name: str
    lon: float
    lat: float


class Hotspot(msgspec.Struct, frozen=True):
    """A place where reports cluster (market, nightlife, main avenue); points spread around it normally."""

    name: str
    lon: float
    lat: float
    sigma_m: float
    weight: float


class DemoCity(msgspec.Struct, frozen=True, kw_only=True):
    slug: str
    code_prefix: str
    name: str
    emergency_phone: str = "105"
    # Outer ring, (lon, lat), counter-clockwise, not closed.
    service_area: tuple[tuple[float, float], ...]
    sectors: tuple[SectorSeed, ...]
    hotspots: tuple[Hotspot, ...]
    # Share of incidents spread uniformly over the whole service area rather than around a hotspot.
    background_share: float
    incidents: int
    # Median minutes from dispatch to arrival scale with the city's size and traffic.
    travel_factor: float = 1.0


# An approximation, not a published table: the order follows the categories of the Alerta Miraflores incident
# table (robbery/assault the largest, then suspicious activity, noise and neighbour disturbances, traffic
# accidents, other); the categories Sereno adds get small shares. Sums to 1.
CATEGORY_SHARES: dict[str, float] = {
    "robbery_assault": 0.300,
    "suspicious_activity": 0.200,
    "noise_disturbance": 0.160,
    "accident": 0.120,
    "other": 0.080,
    "vandalism": 0.040,
    "drug_activity": 0.030,
    "medical_emergency": 0.025,
    "domestic_violence": 0.020,
    "fire": 0.010,
    "minors_at_risk": 0.008,
    "sexual_offence": 0.007,
}

TRUJILLO = DemoCity(
    slug="tru",
    code_prefix="TRU",
    name="Municipalidad Provincial de Trujillo",
    # Approximate urban area: Víctor Larco's coast on the south-west, La Esperanza to the north-west,
    # Florencia de Mora and El Porvenir to the north and north-east, Alto Trujillo at the north-east edge.
    service_area=(
        (-79.0300, -8.1585),
        (-79.0150, -8.1520),
        (-79.0040, -8.1420),
        (-78.9960, -8.1300),
        (-78.9895, -8.1150),
        (-78.9840, -8.0980),
        (-78.9820, -8.0820),
        (-78.9850, -8.0660),
        (-78.9940, -8.0540),
        (-79.0080, -8.0560),
        (-79.0200, -8.0620),
        (-79.0310, -8.0560),
        (-79.0430, -8.0500),
        (-79.0560, -8.0540),
        (-79.0640, -8.0650),
        (-79.0700, -8.0800),
        (-79.0730, -8.0950),
        (-79.0760, -8.1100),
        (-79.0680, -8.1220),
        (-79.0580, -8.1340),
        (-79.0470, -8.1470),
        (-79.0380, -8.1550),
    ),
    sectors=(
        SectorSeed("TRU-01", "Centro Histórico", -79.0300, -8.1115),
        SectorSeed("TRU-02", "La Noria – Chicago", -79.0130, -8.1150),
        SectorSeed("TRU-03", "Primavera – El Recreo", -79.0230, -8.1300),
        SectorSeed("TRU-04", "Víctor Larco", -79.0380, -8.1400),
        SectorSeed("TRU-05", "Buenos Aires", -79.0600, -8.1260),
        SectorSeed("TRU-06", "California – San Andrés", -79.0450, -8.1180),
        SectorSeed("TRU-07", "Mansiche – Santa María", -79.0420, -8.1000),
        SectorSeed("TRU-08", "La Esperanza", -79.0470, -8.0680),
        SectorSeed("TRU-09", "Florencia de Mora", -79.0240, -8.0790),
        SectorSeed("TRU-10", "El Porvenir", -79.0040, -8.0900),
        SectorSeed("TRU-11", "Alto Trujillo", -78.9920, -8.0660),
        SectorSeed("TRU-12", "Los Jardines – Av. Huanchaco", -79.0620, -8.0900),
    ),
    hotspots=(
        Hotspot("Mercado Central y Plaza de Armas", -79.0290, -8.1110, 380, 0.20),
        Hotspot("La Hermelinda", -79.0130, -8.0980, 350, 0.13),
        Hotspot("Av. Larco y centros comerciales", -79.0440, -8.1190, 450, 0.11),
        Hotspot("La Esperanza, Av. Condorcanqui", -79.0430, -8.0700, 650, 0.14),
        Hotspot("El Porvenir, zona comercial", -79.0060, -8.0880, 600, 0.12),
        Hotspot("Florencia de Mora", -79.0240, -8.0800, 450, 0.07),
        Hotspot("Playa Buenos Aires", -79.0590, -8.1280, 450, 0.05),
    ),
    background_share=0.18,
    incidents=3000,
)

MIRAFLORES = DemoCity(
    slug="mir",
    code_prefix="MIR",
    name="Municipalidad de Miraflores",
    # Approximate district: the cliff-top coast (Malecón) on the south-west, San Isidro to the north,
    # Surquillo and Surco to the east, Barranco to the south-east.
    service_area=(
        (-77.0560, -12.1095),
        (-77.0500, -12.1150),
        (-77.0445, -12.1210),
        (-77.0375, -12.1270),
        (-77.0310, -12.1325),
        (-77.0260, -12.1360),
        (-77.0190, -12.1345),
        (-77.0120, -12.1310),
        (-77.0100, -12.1230),
        (-77.0130, -12.1150),
        (-77.0245, -12.1150),
        (-77.0245, -12.1085),
        (-77.0300, -12.1075),
        (-77.0450, -12.1075),
    ),
    sectors=(
        SectorSeed("MIR-01", "Santa Cruz", -77.0455, -12.1110),
        SectorSeed("MIR-02", "Huaca Pucllana", -77.0335, -12.1105),
        SectorSeed("MIR-03", "Parque Kennedy – Centro", -77.0300, -12.1200),
        SectorSeed("MIR-04", "Malecón", -77.0420, -12.1200),
        SectorSeed("MIR-05", "Larco", -77.0325, -12.1280),
        SectorSeed("MIR-06", "28 de Julio", -77.0250, -12.1330),
        SectorSeed("MIR-07", "Reducto", -77.0230, -12.1260),
        SectorSeed("MIR-08", "San Antonio", -77.0200, -12.1180),
        SectorSeed("MIR-09", "Aurora", -77.0135, -12.1265),
    ),
    hotspots=(
        Hotspot("Parque Kennedy", -77.0300, -12.1211, 230, 0.26),
        Hotspot("Av. Larco y Larcomar", -77.0305, -12.1295, 250, 0.14),
        Hotspot("Óvalo Gutiérrez", -77.0440, -12.1120, 280, 0.10),
        Hotspot("Malecón, Parque del Amor", -77.0430, -12.1195, 220, 0.08),
        Hotspot("Av. Benavides y Paseo de la República", -77.0245, -12.1255, 300, 0.10),
        Hotspot("Av. Angamos y Av. Arequipa", -77.0300, -12.1140, 280, 0.10),
    ),
    background_share=0.22,
    incidents=1500,
    travel_factor=0.8,
)

CITIES: tuple[DemoCity, ...] = (TRUJILLO, MIRAFLORES)
