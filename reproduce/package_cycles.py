#!/usr/bin/env python3
# A second, independent reading of the house's dependency rule (the first is kernel's ArchitectureTest, in Java):
# the package graph of dev.memtune from every module's src/main/java (imports, fully qualified names and
# names inside strings count; comments do not), then its strongly connected components (Tarjan). A component
# of more than one package is a cycle. Usage: python3 reproduce/package_cycles.py [REPO]  (exit 1 on a cycle)
import re, sys, pathlib
root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parent.parent)
files = [p for p in root.rglob('*.java') if '/src/main/java/' in str(p)]
pkg_of = {}
for f in files:
    m = re.search(r'^package\s+([\w.]+);', f.read_text(), re.M)
    if m: pkg_of[f] = m.group(1)
pkgs = set(pkg_of.values())
def strip(s):
    out, i, n = [], 0, len(s)
    while i < n:
        if s.startswith('//', i): i = s.find('\n', i); i = n if i < 0 else i
        elif s.startswith('/*', i): j = s.find('*/', i + 2); i = n if j < 0 else j + 2
        elif s[i] == '"':
            j = i + 1
            while j < n and s[j] != '"': j += 2 if s[j] == '\\' else 1
            out.append(s[i:j+1]); i = j + 1
        elif s[i] == "'":
            j = i + 1
            while j < n and s[j] != "'": j += 2 if s[j] == '\\' else 1
            out.append(s[i:j+1]); i = j + 1
        else: out.append(s[i]); i += 1
    return ''.join(out)
def owner(name):
    best = None
    for q in pkgs:
        if (name == q or name.startswith(q + '.')) and (best is None or len(q) > len(best)): best = q
    return best
g = {p: set() for p in pkgs}
for f, p in pkg_of.items():
    for m in re.finditer(r'dev\.memtune(?:\.[A-Za-z_]\w*)+', strip(f.read_text())):
        o = owner(m.group())
        if o and o != p: g[p].add(o)
# Tarjan
idx, low, st, on, comps, c = {}, {}, [], set(), [], [0]
sys.setrecursionlimit(10000)
def sc(v):
    idx[v] = low[v] = c[0]; c[0] += 1; st.append(v); on.add(v)
    for w in g[v]:
        if w not in idx: sc(w); low[v] = min(low[v], low[w])
        elif w in on: low[v] = min(low[v], idx[w])
    if low[v] == idx[v]:
        comp = []
        while True:
            w = st.pop(); on.discard(w); comp.append(w)
            if w == v: break
        comps.append(comp)
for v in sorted(pkgs):
    if v not in idx: sc(v)
cyc = [x for x in comps if len(x) > 1]
print(f"{len(files)} files, {len(pkgs)} packages, {sum(len(v) for v in g.values())} package edges, cycles: {len(cyc)}")
for x in cyc: print('  cycle:', sorted(x))
sys.exit(1 if cyc else 0)
