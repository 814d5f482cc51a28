"""Maps (issue 21) in `make bench`: the staff map's clustered GeoJSON of a municipality's
concerns at 1,000 and 100,000 concerns, and the neighbour list's radius dragged among
1,000,000 addresses.

    BENCH map_layers size=1000 queries=... median_ms=...
    BENCH map_layers size=100000 queries=... median_ms=... ratio=...
    BENCH map_neighbours addresses=1000000 radii=150..250 queries=... median_ms=... max_ms=...
    # target ...: met

Each size of concerns is a municipality of its own; its concerns are spread over a 6 km
square around three projects, received over two years (the map shows the last twelve
months, as it does by default), at zoom 14 (600 m squares). The addresses lie on a grid over a
20 km square around one project's site (about 2,500 per km², a town's density): the preview
answers for radii of 150 to 250 m, as a slider dragged in 10 m steps asks. Used by
bench/run.py, which makes the environment, the database and the cleanup.
"""

from __future__ import annotations

import math
import random
import statistics
import time

import concerns as concern_bench
import run as core

CENTRE = (69.65, 18.95)
LAYER_PATH = "/app/meldinger/kart/lag.geojson?zoom=14"
LAYER_TARGET_MS = 300
NEIGHBOURS_TARGET_MS = 200
RADII = list(range(150, 251, 10))
ADDRESS_SQUARE_M = 20_000


def username(name: str) -> str:
    return f"benk-kart-{name}"


def _municipality(slug: str, number: str, user_name: str):
    from naboskap.concerns import services
    from naboskap.tenancy.models import Membership, Municipality
    from naboskap.testing import factories
    from naboskap.testing.mfa import enrol_totp

    municipality = Municipality.objects.filter(slug=slug).first()
    if municipality is not None:
        return municipality
    municipality = factories.MunicipalityFactory(name=f"{slug} kommune", number=number, slug=slug)
    user = factories.UserFactory(username=user_name, email=f"{user_name}@example.org")
    services.categories_ensure_defaults(municipality=municipality)
    Membership.objects.create(user=user, municipality=municipality, role="coordinator")
    enrol_totp(user)
    return municipality


def owner(municipality):
    """The benchmark's coordinator (factories' own users would repeat names across processes)."""
    return municipality.memberships.get(role="coordinator").user


def measured_get(table: str, user_name: str, path: str) -> dict:
    """After a bulk fill of `table`: the queries of one warm GET of `path` as `user_name`, its
    JSON answer, and the session cookie for the timed requests."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")
    client = concern_bench.staff_client(user_name)
    client.get(path)  # warm
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    if response.status_code != 200:
        raise core.BenchError(f"{path} answered {response.status_code} in setup")
    name = concern_bench.client_cookie_name()
    return {
        "queries": len(captured),
        "answer": response.json(),
        "cookie": [name, client.cookies[name].value],
    }


def phase_map_fill(size: int) -> dict:
    """A municipality with `size` concerns marked on a map; the layer's queries."""
    core.django_setup()
    from datetime import timedelta

    from django.utils import timezone

    from naboskap.concerns.models import Category, Concern
    from naboskap.maps import coordinates
    from naboskap.projects.models import Project
    from naboskap.tenancy.models import Unit
    from naboskap.testing import factories

    name = str(size)
    municipality = _municipality(f"kartvik-{size}", str(9700 + size % 89), username(name))
    for number in range(3):
        lat, lon = coordinates.offset(*CENTRE, number * 120, 1500)
        factories.ProjectFactory(
            municipality=municipality,
            name=f"Kartveien {number}",
            slug=f"kartveien-{number}",
            latitude=f"{lat:.6f}",
            longitude=f"{lon:.6f}",
            dialogue_owner=owner(municipality),
            responsible_unit=factories.UnitFactory(
                municipality=municipality, name=f"Kartenhet {number}"
            ),
        )
    projects = list(Project.objects.filter(municipality=municipality))
    categories = list(Category.objects.filter(municipality=municipality))
    units = list(Unit.objects.filter(municipality=municipality))
    centre_x, centre_y = coordinates.point_to_utm33(*CENTRE)
    rng = random.Random(size)
    now = timezone.now()
    began = time.monotonic()
    batch = []
    for number in range(size):
        created = now - timedelta(minutes=(size - number) * 7 % (730 * 24 * 60))
        row = concern_bench.concern_row(
            number, created, now, projects=projects, categories=categories, units=units
        )
        row.reference = f"K{size}-{number + 1:07d}"
        row.idempotency_key = f"benk-kart-{size}-{number:07d}"
        row.easting = (centre_x + rng.uniform(-3000, 3000)) // 50 * 50 + 25
        row.northing = (centre_y + rng.uniform(-3000, 3000)) // 50 * 50 + 25
        batch.append(row)
        if len(batch) == 5000 or number == size - 1:
            longitudes, latitudes = coordinates.to_geographic(
                "25833", [r.easting for r in batch], [r.northing for r in batch]
            )
            for r, lat, lon in zip(batch, latitudes, longitudes, strict=True):
                r.latitude, r.longitude = round(lat, 6), round(lon, 6)
            Concern.objects.bulk_create(batch)
            batch = []
    fill_seconds = time.monotonic() - began
    measured = measured_get("concerns_concern", username(name), LAYER_PATH)
    return {
        "size": Concern.objects.filter(municipality=municipality).count(),
        "fill_seconds": fill_seconds,
        "clusters": len(measured.pop("answer")["features"]),
        **measured,
    }


def phase_addresses_fill(count: int) -> dict:
    """`count` addresses on a grid around a project's site; the preview's queries."""
    core.django_setup()

    from naboskap.maps import coordinates
    from naboskap.stakeholders.models import GRID_ROW_M, Address
    from naboskap.testing import factories

    municipality = _municipality("kartvik-adresser", "9790", username("adresser"))
    project = factories.ProjectFactory(
        municipality=municipality,
        name="Adresseveien",
        slug="adresseveien",
        latitude=f"{CENTRE[0]:.6f}",
        longitude=f"{CENTRE[1]:.6f}",
        dialogue_owner=owner(municipality),
        responsible_unit=factories.UnitFactory(municipality=municipality, name="Adresseenhet"),
    )
    side = math.ceil(math.sqrt(count))
    step = ADDRESS_SQUARE_M / side
    centre_x, centre_y = coordinates.point_to_utm33(*CENTRE)
    began = time.monotonic()
    made = 0
    while made < count:
        rows = range(made, min(made + 10_000, count))
        xs = [centre_x - ADDRESS_SQUARE_M / 2 + (i % side) * step for i in rows]
        ys = [centre_y - ADDRESS_SQUARE_M / 2 + (i // side) * step for i in rows]
        longitudes, latitudes = coordinates.to_geographic("25833", xs, ys)
        Address.objects.bulk_create(
            Address(
                municipality=municipality,
                external_id=f"benk-{i}",
                street="Benkveien",
                number=i % 9999 + 1,
                postcode="9999",
                post_town="ADRESSEVIK",
                latitude=lat,
                longitude=lon,
                easting=x,
                northing=y,
                grid_row=math.floor(y / GRID_ROW_M),
            )
            for i, x, y, lat, lon in zip(rows, xs, ys, latitudes, longitudes, strict=True)
        )
        made = rows.stop
    fill_seconds = time.monotonic() - began
    path = f"/app/prosjekter/{project.pk}/naboliste/forhandsvis/?radius_m=200"
    measured = measured_get("stakeholders_address", username("adresser"), path)
    return {
        "count": Address.objects.filter(municipality=municipality).count(),
        "fill_seconds": fill_seconds,
        "found_200": measured.pop("answer")["count"],
        "project": project.pk,
        **measured,
    }


PHASES = {
    "_map_fill": lambda argv: phase_map_fill(int(argv[2])),
    "_map_addresses": lambda argv: phase_addresses_fill(int(argv[2])),
}


# --- HTTP, in the driver -------------------------------------------------------------------


def timed(port: int, cookie: list[str], paths: list[str], requests: int) -> list[float]:
    """`requests` sequential GETs, cycling through `paths`, after three of warm-up: ms each."""
    browser = concern_bench.Browser(port)
    browser.cookies[cookie[0]] = cookie[1]
    times = []
    for number in range(requests + 3):
        path = paths[number % len(paths)]
        began = time.monotonic()
        status, location, _content = browser.request("GET", path)
        took = (time.monotonic() - began) * 1000
        if status != 200:
            raise core.BenchError(f"GET {path} answered {status} {location}")
        if number >= 3:
            times.append(took)
    return times


def run_benchmarks(args, env: dict, var_dir) -> list[str]:
    failures: list[str] = []
    log = core.log
    with core.gunicorn(env, var_dir, "maps", args.workers) as port:
        results = {}
        for size in args.map_sizes:
            log(f"map_layers: {size} concerns marked on a map, bulk-created")
            filled = core.run_phase(env, "_map_fill", str(size))
            times = timed(port, filled["cookie"], [LAYER_PATH], args.map_requests)
            results[size] = (filled, statistics.median(times))
            line = (
                f"BENCH map_layers size={filled['size']} clusters={filled['clusters']} "
                f"queries={filled['queries']} median_ms={results[size][1]:.1f}"
            )
            smallest = args.map_sizes[0]
            if size != smallest:
                line += f" ratio={results[size][1] / results[smallest][1]:.2f}"
            print(line, flush=True)
        queries = {size: results[size][0]["queries"] for size in results}
        largest = args.map_sizes[-1]
        met = len(set(queries.values())) == 1 and results[largest][1] < LAYER_TARGET_MS
        if len(set(queries.values())) != 1:
            failures.append(f"map layer queries differ between sizes: {queries}")
        print(
            f"# target map_layers: under {LAYER_TARGET_MS} ms at {largest} concerns, the same "
            f"queries at every size: {'met' if met else 'NOT met'}",
            flush=True,
        )

        log(f"map_neighbours: {args.map_addresses} addresses, bulk-created")
        filled = core.run_phase(env, "_map_addresses", str(args.map_addresses))
        base = f"/app/prosjekter/{filled['project']}/naboliste/forhandsvis/?radius_m="
        times = timed(
            port, filled["cookie"], [f"{base}{radius}" for radius in RADII], args.map_requests
        )
        median, slowest = statistics.median(times), max(times)
        print(
            f"BENCH map_neighbours addresses={filled['count']} radii={RADII[0]}..{RADII[-1]} "
            f"found_200m={filled['found_200']} queries={filled['queries']} "
            f"median_ms={median:.1f} max_ms={slowest:.1f} fill_s={filled['fill_seconds']:.0f}",
            flush=True,
        )
        met = median < NEIGHBOURS_TARGET_MS
        print(
            f"# target map_neighbours: under {NEIGHBOURS_TARGET_MS} ms (median) while the radius "
            f"is dragged among {filled['count']} addresses: {'met' if met else 'NOT met'}",
            flush=True,
        )
    return failures
