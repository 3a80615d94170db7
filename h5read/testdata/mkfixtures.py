#!/usr/bin/python3
"""Fixture matrix for h5read, written by the real libhdf5 through h5py.

Usage (from h5read/): /usr/bin/python3 testdata/mkfixtures.py testdata
(Debian 12: apt-get install python3-h5py hdf5-tools; HDF5 1.10.8, h5py 3.7.0.)

Writes small .h5 files and fixtures_golden.json with, for every dataset of
every file, the values libhdf5 reads back (sha256 of the little-endian bytes,
samples), the fill value, attributes and libhdf5's own chunk table
(get_chunk_info). track_times=False keeps the files byte-reproducible.

  fx_v0.h5      superblock 0, ATL06 structure: dense OHDR groups, v1 dataset
                headers, layout 3 / v1 B-tree, deflate 6, shuffle, fill values,
                3 chunks of 10,000 with a partial last chunk
  fx_sb1.h5     superblock 1 (non-default indexed-storage K)
  fx_sb2.h5     superblock 2 (paged file-space strategy)
  fx_latest.h5  superblock 3, OHDR everywhere, layout 4 extensible arrays,
                dense attributes (incl. a variable-length string)
  fx_edge.h5    symbol-table group, contiguous, compact, 2-level v1 B-tree,
                sparse (never-written chunks), fletcher32+shuffle+deflate,
                big- and little-endian integers and floats of every size,
                2-D chunked with partial edge chunks, a 300-member dense group
                (indirect fractal heap, 2-level name index), unsupported
                filters (lzf, scale-offset)
  fx_userblock.h5  a 512-byte user block before the superblock
  fx_hugeattr.h5   dense attributes stored as fractal-heap huge objects
  fx_unsupported.h5
                soft and external links, compound and variable-length string
                datasets: refused with ErrUnsupported (not in the golden file)
  fz_tiny_*.h5  a few KB each, seeds for FuzzOpen (v0 and latest formats)
  fx_v4idx.h5   layout 4 single chunk, implicit, fixed array (unpaged and
                paged), extensible array, v2 B-tree (2-D)
"""
import ctypes
import ctypes.util
import hashlib
import json
import math
import os
import sys

import h5py
import numpy as np

FILL = np.float32(3.4028235e38)


def hdf5_lib():
    """The libhdf5 that h5py uses, for property setters h5py does not wrap."""
    return ctypes.CDLL(ctypes.util.find_library("hdf5_serial") or "libhdf5_serial.so.103")


def atl06_like(fn, n=25_000, chunk=10_000, fid=None, **fkw):
    rng = np.random.default_rng(42)
    lat = -70.0 - np.arange(n) / 16384  # short mantissas keep the files small
    lon = 100.0 + np.arange(n) / 32768
    h = (np.round((1000 + 50 * np.sin(np.arange(n) / 300.0)) * 64) / 64).astype("f4")
    hs = (np.round(np.abs(rng.normal(0.05, 0.01, n)) * 4096) / 4096).astype("f4")
    h[::97] = FILL
    q = (rng.random(n) < 0.2).astype("i1")
    f = h5py.File(fid) if fid is not None else h5py.File(fn, "w", **fkw)
    with f:
        for beam in ("gt1l", "gt2r"):
            g = f.create_group(f"{beam}/land_ice_segments", track_order=True)  # >8 links: dense
            kw = dict(chunks=(chunk,), maxshape=(None,), compression="gzip",
                      compression_opts=6, track_times=False)
            g.create_dataset("latitude", data=lat, **kw)
            g.create_dataset("longitude", data=lon, **kw)
            d = g.create_dataset("h_li", data=h, fillvalue=FILL, **kw)
            d.attrs["_FillValue"] = FILL
            d.attrs["units"] = np.bytes_("meters")
            g.create_dataset("h_li_sigma", data=hs, fillvalue=FILL, **kw)
            g.create_dataset("atl06_quality_summary", data=q, shuffle=True, **kw)
            for i in range(10):
                g.create_dataset(f"extra_{i}", data=np.arange(5, dtype="i4"), track_times=False)


def edge(fn):
    rng = np.random.default_rng(7)
    with h5py.File(fn, "w") as f:
        g = f.create_group("old_style")  # symbol-table group
        g.create_dataset("contig_f8", data=np.arange(100, dtype="f8"), track_times=False)
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_layout(h5py.h5d.COMPACT)
        sid = h5py.h5s.create_simple((16,))
        did = h5py.h5d.create(g.id, b"compact_i4", h5py.h5t.STD_I32LE, sid, dcpl=dcpl)
        did.write(h5py.h5s.ALL, h5py.h5s.ALL, np.arange(16, dtype="i4"))
        g.create_dataset("multilevel", data=rng.integers(0, 1000, size=10_003).astype("f8"), chunks=(100,), maxshape=(None,),
                         compression="gzip", compression_opts=6, shuffle=True, track_times=False)
        d = g.create_dataset("sparse", shape=(50_000,), dtype="f4", chunks=(10_000,), maxshape=(None,),
                             fillvalue=FILL, compression="gzip", track_times=False)
        d[20_000:30_000] = 1.5  # 1 of 5 chunks exists
        g.create_dataset("fletcher", data=np.arange(30_000, dtype="f4"), chunks=(10_000,),
                         fletcher32=True, shuffle=True, compression="gzip", track_times=False)
        g.create_dataset("fletcher_only", data=np.arange(1001, dtype="i2"), chunks=(300,),
                         fletcher32=True, track_times=False)
        m = g.create_dataset("masked", shape=(300,), dtype="<f4", chunks=(100,), compression="gzip",
                             track_times=False)
        m[0:100] = np.arange(100, dtype="f4")
        m[200:300] = np.arange(200, 300, dtype="f4")
        # Chunk 1 stored with deflate skipped: filter mask bit 0 set.
        m.id.write_direct_chunk((100,), np.arange(100, 200, dtype="<f4").tobytes(), filter_mask=1)
        t = f.create_group("types")
        for kind in ("i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8", "f4", "f8"):
            for order in ("<", ">"):
                dt = np.dtype(order + kind)
                if kind[0] == "f":
                    v = (np.arange(-5, 5) * 1.25).astype(dt)
                elif kind[0] == "u":
                    v = np.array([np.iinfo(dt).max - k for k in range(10)], dtype=dt)
                else:
                    v = np.array([np.iinfo(dt).min, np.iinfo(dt).max, -1, 0, 1, 2, 3, -3, 7, -7], dtype=dt)
                name = ("be_" if order == ">" else "le_") + kind
                t.create_dataset(name, data=v, track_times=False)
        t.create_dataset("be_f8_chunked", data=np.linspace(0, 1, 2500).astype(">f8"), chunks=(1000,),
                         shuffle=True, compression="gzip", track_times=False)
        t.create_dataset("strings", data=np.array([b"ab", b"cde"], dtype="S4"), track_times=False)
        t.create_dataset("scalar_f8", data=np.float64(2.5), track_times=False)
        t.create_dataset("empty", shape=(0,), dtype="f4", track_times=False)
        g2 = f.create_group("grid")
        a = np.arange(30 * 23, dtype="f8").reshape(30, 23) * 0.5
        g2.create_dataset("d2", data=a, chunks=(7, 5), compression="gzip", track_times=False)
        b = np.arange(9 * 8 * 7, dtype="i2").reshape(9, 8, 7)
        g2.create_dataset("d3", data=b, chunks=(4, 3, 5), maxshape=(None, 8, 7), track_times=False)
        g2.create_dataset("lzf", data=np.arange(100, dtype="f4"), chunks=(50,), compression="lzf", track_times=False)
        g2.create_dataset("scaleoffset", data=np.arange(100, dtype="i4"), chunks=(50,), scaleoffset=0, track_times=False)
        s = f.create_group("new_style", track_order=True)
        for i in range(300):  # indirect heap root, 2-level name index
            s.create_dataset(f"v{i:03d}", data=np.full(3, i, dtype="i2"), track_times=False)


def v4idx(fn):
    with h5py.File(fn, "w", libver="latest") as f:
        kw = dict(compression="gzip", track_times=False)
        f.create_dataset("single", data=np.arange(1000, dtype="f4"), chunks=(1000,), **kw)  # type 1
        f.create_dataset("single_raw", data=np.arange(1000, dtype="i2"), chunks=(1000,), track_times=False)
        f.create_dataset("fixed", data=np.arange(1000, dtype="f4"), chunks=(100,), **kw)  # type 3
        f.create_dataset("fixed_paged", data=np.arange(5000, dtype="i4"), chunks=(4,), **kw)  # > 1024 chunks
        f.create_dataset("fixed2d", data=np.arange(600, dtype="f8").reshape(20, 30), chunks=(6, 7),
                         maxshape=(40, 30), **kw)
        f.create_dataset("earray", data=np.arange(1000, dtype="f4"), chunks=(100,), maxshape=(None,), **kw)  # 4
        f.create_dataset("earray_big", data=np.arange(40_000, dtype="i2"), chunks=(50,), maxshape=(None,), **kw)
        f.create_dataset("earray2d", data=np.arange(50 * 6, dtype="i4").reshape(6, 50), chunks=(3, 4),
                         maxshape=(6, None), **kw)
        d = f.create_dataset("btree2", data=np.arange(1600, dtype="f4").reshape(40, 40), chunks=(10, 10),
                             maxshape=(None, None), **kw)  # type 5
        f.create_dataset("btree2_raw", data=np.arange(400, dtype="u2").reshape(20, 20), chunks=(10, 10),
                         maxshape=(None, None), track_times=False)
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_chunk((100,))
        dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)  # no filter + early allocation
        sid = h5py.h5s.create_simple((1000,))
        did = h5py.h5d.create(f.id, b"implicit", h5py.h5t.IEEE_F32LE, sid, dcpl=dcpl)
        did.write(h5py.h5s.ALL, h5py.h5s.ALL, np.arange(1000, dtype="f4"))
        # Partial edge chunks stored unfiltered (layout 4 flag bit 0), set
        # through libhdf5's H5Pset_chunk_opts (no h5py wrapper).
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_chunk((100,))
        dcpl.set_deflate(6)
        if hdf5_lib().H5Pset_chunk_opts(ctypes.c_int64(dcpl.id), ctypes.c_uint(2)) < 0:
            raise RuntimeError("H5Pset_chunk_opts failed")
        sid = h5py.h5s.create_simple((950,), (h5py.h5s.UNLIMITED,))
        did = h5py.h5d.create(f.id, b"edge_unfiltered", h5py.h5t.IEEE_F64LE, sid, dcpl=dcpl)
        did.write(h5py.h5s.ALL, h5py.h5s.ALL, np.arange(950, dtype="f8") / 8)
        e = f.create_dataset("sparse_ea", shape=(1000,), dtype="f8", chunks=(100,), maxshape=(None,),
                             fillvalue=-9.0, **kw)
        e[300:400] = 4.0
        for i in range(12):  # dense attributes
            d.attrs[f"a{i:02d}"] = np.float64(i) / 4
        d.attrs["vlen"] = "variable length string"
        d.attrs["fixed"] = np.bytes_("fixed string")
        d.attrs["ints"] = np.arange(3, dtype=">i2")
        d.attrs.create("strarr", data=["x", "yz"], dtype=h5py.string_dtype())


def tiny(fn, **fkw):
    """A few-KB file touching most structures: the fuzz seed."""
    with h5py.File(fn, "w", **fkw) as f:
        g = f.create_group("g", track_order=True)
        for i in range(9):  # dense links
            g.create_dataset(f"s{i}", data=np.arange(i + 1, dtype="<i2" if i % 2 else ">f4"), track_times=False)
        d = g.create_dataset("c", data=np.arange(50, dtype="f8"), chunks=(16,), maxshape=(None,),
                             compression="gzip", shuffle=True, fletcher32=True, fillvalue=-1.0, track_times=False)
        d.attrs["units"] = np.bytes_("m")
        d.attrs["v"] = np.arange(3, dtype="i4")
        e = g.create_dataset("e", data=np.arange(24, dtype="u1").reshape(4, 6), chunks=(2, 4),
                             maxshape=(None, None), track_times=False)
        for i in range(9):
            e.attrs[f"a{i}"] = i
        f.create_dataset("old", data=np.arange(4, dtype="i8"), track_times=False)


def unsupported(fn):
    """Valid HDF5 this reader refuses with ErrUnsupported (not in the golden)."""
    with h5py.File(fn, "w") as f:
        f.create_dataset("ok", data=np.arange(3, dtype="i4"), track_times=False)
        f["soft"] = h5py.SoftLink("/ok")
        f["ext"] = h5py.ExternalLink("other.h5", "/ok")
        f.create_dataset("compound", data=np.array([(1, 2.0)], dtype=[("a", "i4"), ("b", "f8")]), track_times=False)
        f.create_dataset("vlen_str", data=["a", "bc"], dtype=h5py.string_dtype(), track_times=False)


def userblock(fn):
    """A 512-byte user block before the superblock."""
    with h5py.File(fn, "w", userblock_size=512) as f:
        f.create_dataset("x", data=np.arange(5, dtype="f8") / 2, chunks=(2,), compression="gzip", track_times=False)


def huge_attrs(fn):
    """Dense attributes too large for the fractal heap's blocks: stored as
    huge objects found through the heap's v2 B-tree."""
    with h5py.File(fn, "w", libver="latest") as f:
        d = f.create_dataset("d", data=np.arange(3, dtype="i2"), track_times=False)
        for i in range(10):
            d.attrs[f"a{i}"] = np.int16(i)
        d.attrs["big_str"] = np.bytes_(("ICESat-2 " * 8000)[:70_000])
        d.attrs["big_ints"] = (np.arange(70_000) % 101).astype("i1")


def num(v):
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def digest(v):
    """Long values are compared by digest: sha256 of the string, or of the
    integers written in decimal and joined by commas."""
    if isinstance(v, str):
        return {"len": len(v), "sha256": hashlib.sha256(v.encode()).hexdigest()}
    return {"len": len(v), "sha256": hashlib.sha256(",".join(str(x) for x in v).encode()).hexdigest()}


def attr_value(a):
    v = attr_value_full(a)
    if isinstance(v, (str, list)) and len(v) > 256:
        return digest(v)
    return v


def attr_value_full(a):
    if isinstance(a, bytes):
        return a.decode()
    if isinstance(a, str):
        return a
    a = np.asarray(a)
    if a.dtype.kind in "iu":
        return int(a) if a.ndim == 0 else [int(x) for x in a.ravel()]
    if a.dtype.kind == "f":
        return num(a) if a.ndim == 0 else [num(x) for x in a.ravel()]
    if a.dtype.kind in "SO":
        conv = lambda x: x.decode() if isinstance(x, bytes) else str(x)
        return conv(a.item()) if a.ndim == 0 else [conv(x) for x in a.ravel()]
    return None


def golden(path):
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if not isinstance(obj, h5py.Dataset):
                return
            rec = {"shape": list(obj.shape), "dtype": obj.dtype.str,
                   "fill_defined": obj.id.get_create_plist().fill_value_defined() == h5py.h5d.FILL_VALUE_USER_DEFINED,
                   "chunks": list(obj.chunks) if obj.chunks else None,
                   "filters": [k for k in ("shuffle", "compression", "fletcher32") if getattr(obj, k)]}
            attrs = {}
            for k in obj.attrs:
                attrs[k] = attr_value(obj.attrs[k])
            rec["attrs"] = attrs
            try:
                data = obj[()]
            except Exception as e:  # filter not available to libhdf5 either
                rec["error"] = str(e)
                out[obj.name] = rec
                return
            data = np.asarray(data)
            if data.dtype.kind in "iuf":
                le = np.ascontiguousarray(data).astype(data.dtype.newbyteorder("<"))
                flat = le.ravel()
                rec["fill"] = num(obj.fillvalue) if data.dtype.kind == "f" else int(obj.fillvalue)
                rec["head"] = [num(x) for x in flat[:3]]
                rec["tail"] = [num(x) for x in flat[-2:]]
                rec["nfill"] = int(np.count_nonzero(flat == obj.fillvalue))
            else:
                le = np.ascontiguousarray(data)
                rec["fill"] = 0
                rec["head"], rec["tail"], rec["nfill"] = [], [], 0
            rec["sha256"] = hashlib.sha256(le.tobytes()).hexdigest()
            if obj.chunks:
                did = obj.id
                table = []
                for i in range(did.get_num_chunks()):
                    ci = did.get_chunk_info(i)
                    table.append([list(ci.chunk_offset), ci.filter_mask, ci.byte_offset, ci.size])
                rec["chunk_table"] = table
            out[obj.name] = rec
        f.visititems(visit)
    return out


def main(dirname):
    files = {}
    p = lambda n: os.path.join(dirname, n)
    atl06_like(p("fx_v0.h5"))
    fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
    # A non-default indexed-storage K forces superblock version 1; h5py has no
    # wrapper for H5Pset_istore_k, so call libhdf5 (the one h5py loaded) directly.
    if hdf5_lib().H5Pset_istore_k(ctypes.c_int64(fcpl.id), ctypes.c_uint(64)) < 0:
        raise RuntimeError("H5Pset_istore_k failed")
    atl06_like(None, n=5_000, chunk=2_000, fid=h5py.h5f.create(p("fx_sb1.h5").encode(), h5py.h5f.ACC_TRUNC, fcpl=fcpl))
    atl06_like(p("fx_sb2.h5"), n=5_000, chunk=2_000, fs_strategy="page", fs_page_size=4096)
    atl06_like(p("fx_latest.h5"), n=5_000, chunk=2_000, libver="latest")
    edge(p("fx_edge.h5"))
    v4idx(p("fx_v4idx.h5"))
    unsupported(p("fx_unsupported.h5"))
    userblock(p("fx_userblock.h5"))
    huge_attrs(p("fx_hugeattr.h5"))
    tiny(p("fz_tiny_v0.h5"))
    tiny(p("fz_tiny_latest.h5"), libver="latest")
    for name in ("fx_hugeattr.h5", "fz_tiny_v0.h5", "fz_tiny_latest.h5", "fx_v0.h5", "fx_sb1.h5", "fx_sb2.h5", "fx_latest.h5", "fx_edge.h5", "fx_v4idx.h5"):
        files[name] = golden(p(name))
    with open(p("fixtures_golden.json"), "w") as fh:
        json.dump({"h5py": h5py.version.version, "hdf5": h5py.version.hdf5_version, "files": files},
                  fh, indent=0, sort_keys=True)
        fh.write("\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "testdata")
