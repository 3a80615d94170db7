#!/usr/bin/python3
"""Write testdata/pyjson_golden.json: how Python's json module writes floats
and strings (repr floats, ensure_ascii escapes), the encoding the catalog
writer must reproduce. Run: /usr/bin/python3 mkpyjson.py"""
import json
import os
import random

random.seed(20261121)
floats = [0.0, -0.0, 1.0, -180.0, -88.4, 180.0, -63.2, 0.1, 1e-4, 1e-5, 1.5e-7, 123456.789,
          1e15, 1e16, 1.5e16, 9007199254740993.0, 2.0 ** -1074, 1.7976931348623157e308, 1 / 3, -2.5e-300]
floats += [random.uniform(-180, 180) for _ in range(40)]
floats += [random.uniform(-1, 1) * 10 ** random.randint(-20, 20) for _ in range(40)]
strings = ["", "plain", "quote\" back\\slash", "tab\tnl\ncr\rbs\bff\f", "\x00\x01\x1f\x7f",
           "régions/antarctique", "日本語", "emoji \U0001F9CA ice", "<&>'", "\u2028\u2029"]
out = {
    "floats": [{"hex": f.hex(), "json": json.dumps(f)} for f in floats],
    "strings": [{"codepoints": [ord(c) for c in s], "json": json.dumps(s)} for s in strings],
}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "pyjson_golden.json"), "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
