#!/usr/bin/python3
"""Write the CMR replies the cmr tests serve on loopback (testdata/cmr/*.json).

The replies follow CMR's granules.umm_json layout (UMM-G 1.6.6 field names and
nesting as in NSIDC_CPRD ATL06 V007 records; see
the CMR Search API documentation). They are built here, not captured from the live service
(tests never touch the network). Footprints:

  * ring A: the real GPolygon of ATL03_20250104003608_02892602_007_01
    (the ATL06 data dictionary), region 02, northern mid-latitudes;
  * ring B: the documented synthetic region-11 swath through the southern turn
    at 88°S (crosses the antimeridian next to the pole);
  * an antimeridian-crossing region-10 swath made here from a 92° inclination
    ground track (±6.25 km about the centre line);
  * a region-12 granule with HTTPS but no S3 link;
  * an ECS-era record with only an Orbit block (earthaccess fixture
    SC:ATL06.005:228825416).

Run: python3 mkreplies.py  (numpy only). Deterministic.
"""
import json
import math
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cmr")

RING_A = [[30.33127, 59.54486], [30.11054, 59.53332], [30.24491, 58.86764], [30.80852, 55.88052],
          [31.36205, 52.62974], [31.97691, 48.64423], [32.49116, 45.00559], [33.14972, 39.98092],
          [33.74529, 35.07892], [33.81083, 34.30684], [33.86879, 33.49515], [34.51274, 27.78657],
          [34.60504, 26.94837], [34.73106, 26.95938], [34.63967, 27.79765], [34.00338, 33.50641],
          [33.94713, 34.31352], [33.88278, 35.0868], [33.29615, 39.99209], [32.64981, 45.01684],
          [32.14665, 48.65539], [31.54676, 52.64109], [31.00833, 55.892], [30.46161, 58.87937],
          [30.33127, 59.54486]]
RING_B = [[-101.9302, -78.98894], [-104.39917, -80.9137], [-108.1036, -82.81565],
          [-114.31949, -84.67031], [-126.65483, -86.40378], [-156.37198, -87.72038],
          [152.3662, -87.72027], [122.65249, -86.40357], [110.31842, -84.67008],
          [104.10301, -82.8154], [100.3988, -80.91345], [97.92753, -78.98665],
          [97.35005, -79.01308], [99.70006, -80.93989], [103.23375, -82.84819],
          [109.18769, -84.71365], [121.14977, -86.46771], [151.08901, -87.82213],
          [-155.08302, -87.82201], [-125.14749, -86.4675], [-113.18666, -84.71341],
          [-107.23318, -82.84795], [-103.6997, -80.93964], [-101.34749, -79.01078],
          [-101.9302, -78.98894]]

R = 6371.0088  # km, mean Earth radius
INC = math.radians(92.0)


def track_point(u, lon0):
    """Sub-satellite point at argument of latitude u (no Earth rotation)."""
    lat = math.asin(math.sin(INC) * math.sin(u))
    lon = lon0 + math.atan2(math.cos(INC) * math.sin(u), math.cos(u))
    return np.array([math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat)])


def swath(u0, u1, lon0, half_km=6.25, n=12):
    """CCW closed ring [lon, lat] of a swath along the track from u0 to u1."""
    us = np.linspace(u0, u1, n)
    centre = [track_point(u, lon0) for u in us]
    left, right = [], []
    for k, c in enumerate(centre):
        a = centre[max(k - 1, 0)]
        b = centre[min(k + 1, n - 1)]
        t = b - a
        t /= np.linalg.norm(t)
        side = np.cross(c, t)  # points to the left of the direction of travel
        d = half_km / R
        left.append(math.cos(d) * c + math.sin(d) * side)
        right.append(math.cos(d) * c - math.sin(d) * side)
    ring = right + left[::-1]  # right side forward, left side back: CCW
    ll = [[round(math.degrees(math.atan2(p[1], p[0])), 5), round(math.degrees(math.asin(p[2])), 5)] for p in ring]
    ll.append(ll[0])
    return ll


def planar_area(ring):
    return 0.5 * sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:]))


def record(name, begin, end, rings, s3=True, https=True, size=None, revision=1, cid=None):
    bucket = "nsidc-cumulus-prod-protected"
    d = begin[:10].replace("-", "/")
    path = f"ATLAS/ATL06/007/{d}/{name}"
    urls = []
    if https:
        urls.append({"URL": f"https://data.nsidc.earthdatacloud.nasa.gov/{bucket}/{path}",
                     "Type": "GET DATA", "Description": "Download " + name})
    if s3:
        urls.append({"URL": f"s3://{bucket}/{path}", "Type": "GET DATA VIA DIRECT ACCESS",
                     "Description": "This link provides direct download access via S3 to the granule"})
    urls += [
        {"URL": f"https://data.nsidc.earthdatacloud.nasa.gov/nsidc-cumulus-prod-public/{path[:-3]}.iso.xml",
         "Type": "EXTENDED METADATA", "Description": "Download " + name[:-3] + ".iso.xml"},
        {"URL": "https://data.nsidc.earthdatacloud.nasa.gov/s3credentials", "Type": "VIEW RELATED INFORMATION",
         "Description": "api endpoint to retrieve temporary credentials valid for same-region direct s3 access"},
    ]
    umm = {
        "TemporalExtent": {"RangeDateTime": {"BeginningDateTime": begin, "EndingDateTime": end}},
        "GranuleUR": name,
        "SpatialExtent": {"HorizontalSpatialDomain": {"Geometry": {"GPolygons": [
            {"Boundary": {"Points": [{"Longitude": p[0], "Latitude": p[1]} for p in r]}} for r in rings]}}},
        "ProviderDates": [{"Date": "2025-01-10T03:11:52.000Z", "Type": "Insert"},
                          {"Date": "2025-01-10T03:11:52.000Z", "Type": "Update"}],
        "CollectionReference": {"ShortName": "ATL06", "Version": "007"},
        "DataGranule": {
            "DayNightFlag": "Unspecified",
            "Identifiers": [{"Identifier": name, "IdentifierType": "ProducerGranuleId"}],
            "ProductionDateTime": "2025-01-09T12:22:40.000Z",
            "ArchiveAndDistributionInformation": [
                {"Name": name, "SizeInBytes": size or 0, "Checksum": {"Value": "0" * 32, "Algorithm": "MD5"}},
                {"Name": name[:-3] + ".iso.xml", "SizeInBytes": 41377}]},
        "RelatedUrls": urls,
        "MetadataSpecification": {"URL": "https://cdn.earthdata.nasa.gov/umm/granule/v1.6.6",
                                  "Name": "UMM-G", "Version": "1.6.6"},
    }
    meta = {"concept-type": "granule", "concept-id": cid, "revision-id": revision, "native-id": name,
            "collection-concept-id": "C2670138092-NSIDC_CPRD", "provider-id": "NSIDC_CPRD",
            "format": "application/vnd.nasa.cmr.umm+json", "revision-date": "2025-01-10T03:12:01.361Z"}
    return {"meta": meta, "umm": umm}


def orbit_record():
    # ECS-era record: Orbit block, no polygon (earthaccess tests/unit/fixtures/atl06_umm.json).
    umm = {
        "TemporalExtent": {"RangeDateTime": {"BeginningDateTime": "2018-10-14T00:10:49.722Z",
                                             "EndingDateTime": "2018-10-14T00:19:19.918Z"}},
        "GranuleUR": "SC:ATL06.005:228825416",
        "SpatialExtent": {"HorizontalSpatialDomain": {"Orbit": {
            "AscendingCrossing": 49.08, "StartLatitude": 59.5, "StartDirection": "A",
            "EndLatitude": 80.0, "EndDirection": "A"}}},
        "CollectionReference": {"ShortName": "ATL06", "Version": "005"},
        "RelatedUrls": [{"URL": "https://n5eil01u.ecs.nsidc.org/DP7/ATLAS/ATL06.005/2018.10.14/"
                                "ATL06_20181014001049_02350103_005_01.h5", "Type": "GET DATA"}],
        "DataGranule": {"ArchiveAndDistributionInformation": [
            {"Name": "ATL06_20181014001049_02350103_005_01.h5", "Size": 3.52, "SizeUnit": "MB"}],
            "DayNightFlag": "Unspecified", "ProductionDateTime": "2021-07-07T13:28:34.000Z"},
    }
    meta = {"concept-type": "granule", "concept-id": "G2120443400-NSIDC_ECS", "revision-id": 2,
            "native-id": "SC:ATL06.005:228825416", "provider-id": "NSIDC_ECS",
            "format": "application/echo10+xml", "revision-date": "2021-09-29T13:31:34.361Z"}
    return {"meta": meta, "umm": umm}


def main():
    os.makedirs(OUT, exist_ok=True)
    anti = swath(math.radians(-47), math.radians(-72), math.radians(176.0))
    assert any(p[0] > 170 for p in anti) and any(p[0] < -170 for p in anti), "must cross the antimeridian"
    r12 = swath(math.radians(-100), math.radians(-125), math.radians(-40))
    for r in (RING_A, anti, r12):
        assert planar_area(r) > 0 or r is anti, "CCW"
    g = [
        record("ATL06_20240105235929_02772210_007_01.h5", "2024-01-05T23:59:29.000Z", "2024-01-06T00:04:11.000Z",
               [anti], size=38523911, cid="G2910450001-NSIDC_CPRD"),
        record("ATL06_20240106000405_02772211_007_01.h5", "2024-01-06T00:04:05.000Z", "2024-01-06T00:10:36.000Z",
               [RING_B], size=61322108, cid="G2910450002-NSIDC_CPRD"),
        record("ATL06_20240106001031_02772212_007_01.h5", "2024-01-06T00:10:31.000Z", "2024-01-06T00:15:13.000Z",
               [r12], s3=False, size=33211650, cid="G2910450003-NSIDC_CPRD"),
        record("ATL06_20250104003608_02892602_007_01.h5", "2025-01-04T00:36:08.000Z", "2025-01-04T00:44:36.000Z",
               [RING_A], size=45013228, revision=2, cid="G3367045310-NSIDC_CPRD"),
        orbit_record(),
    ]
    pages = [g[0:2], g[2:4], g[4:5]]
    for k, items in enumerate(pages, 1):
        body = {"hits": len(g), "took": 31 + k, "items": items}
        with open(os.path.join(OUT, f"page{k}.json"), "w") as f:
            json.dump(body, f, indent=1)
            f.write("\n")
    # A timed-out partial page (CMR-Time-Out: true) for page 3: no items made it.
    with open(os.path.join(OUT, "page3_timedout.json"), "w") as f:
        json.dump({"hits": len(g), "took": 170012, "items": []}, f, indent=1)
        f.write("\n")
    with open(os.path.join(OUT, "error500.json"), "w") as f:
        json.dump({"errors": ["An unexpected error occurred. We have been alerted and are working to resolve the problem."]}, f)
        f.write("\n")
    with open(os.path.join(OUT, "error429.json"), "w") as f:
        json.dump({"errors": ["Too many requests."]}, f)
        f.write("\n")
    with open(os.path.join(OUT, "error400.json"), "w") as f:
        json.dump({"errors": ["Parameter [foo] was not recognized."]}, f)
        f.write("\n")


if __name__ == "__main__":
    main()
