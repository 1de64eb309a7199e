"""Per-call instructions by category: the difference of two callgrind runs (N1, N2 calls) / (N2-N1).

usage: python3 bench/callgrind_split.py N1 out1 N2 out2
"""
import re, subprocess, sys
from collections import defaultdict

CATS = [
    ("JSON decode", r"serde_json|serde::de|serde_core::de|Deserialize|deserialize|simdjson|orjson|json_scanner|scanstring|JSONParse|JsonParser|json_parser|JSON::Parse|_json\.|py_scanner|scanner_call|_parse_object|_parse_array"),
    ("HTTP", r"hyper|h2::|reqwest|http::|httparse|llhttp|aiohttp|_http_parser|http_parser|HttpParser|h11|httpx|httpcore|url::|Url"),
    ("building the language's objects", r"pyo3::conversion|IntoPy|into_py|PyDict|PyList|PyFloat|PyLong|PyUnicode|_PyObject_Malloc|PyObject_Malloc|dict_|list_|unicode_|float_|long_|napi_create|napi_set|v8::Object|v8::Number|v8::String|JSObject|ObjectLiteral|Factory::New"),
    ("crossing: runtime, wake-ups, threads", r"tokio::|pyo3_async_runtimes|call_soon_threadsafe|futex|pthread_cond|napi_call_threadsafe|threadsafe_function|uv_async|uv__async|mio::|parking_lot|std::thread|crossbeam|epoll|_run_once|select"),
    ("allocator (malloc/free)", r"^(malloc|free|realloc|calloc|_int_malloc|_int_free|cfree|__libc_malloc|__libc_free|mi_|je_|__rust_alloc|__rust_dealloc)"),
]

def selfcost(path):
    out = subprocess.run(["callgrind_annotate", "--threshold=100", "--inclusive=no", path], capture_output=True, text=True).stdout
    costs = {}
    total = None
    for line in out.splitlines():
        m = re.match(r"^\s*([\d,]+)\s+(?:\([^)]*\)\s+)?(.*)$", line)
        if not m:
            continue
        n = int(m.group(1).replace(",", ""))
        name = m.group(2).strip()
        if "PROGRAM TOTALS" in name:
            total = n
            continue
        costs[name] = costs.get(name, 0) + n
    return total, costs

n1, f1, n2, f2 = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
t1, c1 = selfcost(f1)
t2, c2 = selfcost(f2)
calls = n2 - n1
per = (t2 - t1) / calls
cats = defaultdict(float)
top = []
for name in set(c1) | set(c2):
    d = (c2.get(name, 0) - c1.get(name, 0)) / calls
    fn = name.split(":", 1)[1] if ":" in name and not name.startswith("<") else name
    for cat, pat in CATS:
        if re.search(pat, fn):
            cats[cat] += d
            break
    else:
        cats["other (interpreter, libc, the rest)"] += d
    top.append((d, name))
print(f"total per call: {per/1000:.1f}k")
for cat, v in sorted(cats.items(), key=lambda kv: -kv[1]):
    print(f"  {cat}: {v/1000:.1f}k")
print("top functions per call:")
for d, name in sorted(top, reverse=True)[:25]:
    print(f"  {d/1000:8.2f}k  {name[:160]}")
