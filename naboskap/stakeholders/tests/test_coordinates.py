"""EUREF89 UTM 33 (EPSG:25833) to and from latitude and longitude, against points whose
coordinates follow from the projection's definition, and geodesic distances."""

import pytest

from naboskap.maps import coordinates

# On the central meridian (15° E) the easting is the false easting, 500 000 m, and the
# northing is 0.9996 (the scale factor) times the meridian arc from the equator: on GRS80,
# 6 654 072.819 m to 60° N, and 10 001 965.729 m to the pole (the quarter meridian).
KNOWN = [
    (0.0, 15.0, 500000.0, 0.0),
    (60.0, 15.0, 500000.0, 0.9996 * 6654072.819),
    (90.0, 15.0, 500000.0, 0.9996 * 10001965.729),
]


@pytest.mark.parametrize(("latitude", "longitude", "easting", "northing"), KNOWN)
def test_known_points_to_utm33_within_a_metre(latitude, longitude, easting, northing):
    e, n = coordinates.point_to_utm33(latitude, longitude)
    assert abs(e - easting) < 1 and abs(n - northing) < 1


@pytest.mark.parametrize(("latitude", "longitude", "easting", "northing"), KNOWN[:2])
def test_known_points_from_utm33_within_a_metre(latitude, longitude, easting, northing):
    [lon], [lat] = coordinates.to_geographic("25833", [easting], [northing])
    metres = coordinates.distances_m(latitude, longitude, [lat], [lon])[0]
    assert metres < 1


def test_utm_zones_32_and_35_are_converted_too():
    # 9° E is zone 32's central meridian, 27° E zone 35's.
    for epsg, meridian in (("25832", 9.0), ("25835", 27.0)):
        [lon], [lat] = coordinates.to_geographic(epsg, [500000.0], [0.9996 * 6654072.819])
        assert lat == pytest.approx(60.0, abs=1e-6) and lon == pytest.approx(meridian, abs=1e-6)


def test_distance_and_offset_agree():
    lat, lon = coordinates.offset(69.65, 18.95, 45, 199.0)
    assert coordinates.distances_m(69.65, 18.95, [lat], [lon])[0] == pytest.approx(199.0)
    # One minute of latitude at 69° N: the meridian's radius of curvature there,
    # a(1 - e²) / (1 - e² sin² 69°)^1.5 = 6 391 285 m on GRS80, times π / 10 800.
    assert coordinates.distances_m(69.0, 18.0, [69.0 + 1 / 60], [18.0])[0] == pytest.approx(
        1859.15, abs=0.5
    )


def test_in_norway():
    assert coordinates.in_norway(69.65, 18.95)
    assert coordinates.in_norway(78.22, 15.65)  # Longyearbyen
    assert not coordinates.in_norway(0.0, 0.0)
    assert not coordinates.in_norway(float("nan"), 10.0)
