#!/usr/bin/env python3
"""Reruns the outside review's reproductions of issue 11 (items 1-7) against a built `lifeline`
binary over real HTTP and prints what the server answers now. Not part of the test suite (the
API tests keep each fix); this is the figure-producing rerun for the issue's note.

usage: scripts/review-attack.py [--bin PATH] [--only 1,2,...]
needs: python3 with `requests`, a PostgreSQL server (TEST_DATABASE_URL's server, trust auth), and
root for the full-disk attack (it mounts a small tmpfs).
"""
import argparse, collections, concurrent.futures as cf, json, os, shutil, signal, socket
import subprocess, sys, tempfile, threading, time, uuid
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

PASSWORD = "correct horse battery staple"
PG = os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
PG_ADMIN = PG.rsplit("/", 1)[0] + "/postgres"


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p


def now():
    return datetime.now(timezone.utc)


class Server:
    def __init__(self, binary, db, env=None, log=None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        e = dict(os.environ)
        e.update({"DATABASE_URL": db, "LIFELINE_BIND": f"127.0.0.1:{self.port}",
                  "LIFELINE_WEBHOOKS_ALLOW_PRIVATE": "true", "RUST_LOG": "warn",
                  "LIFELINE_JWT_SECRET": "attack-secret-attack-secret-attack-secret!!",
                  "LIFELINE_SECRETS_KEY": "attack-seal-key-attack-seal-key-attack-seal"})
        e.update(env or {})
        self.log = log or tempfile.NamedTemporaryFile(prefix="lifeline-", suffix=".log", delete=False).name
        self.proc = subprocess.Popen([binary, "serve"], env=e, stdout=open(self.log, "ab"),
                                     stderr=subprocess.STDOUT)
        for _ in range(600):
            try:
                if requests.get(self.base + "/healthz", timeout=1).status_code in (200, 503):
                    return
            except requests.RequestException:
                pass
            if self.proc.poll() is not None:
                raise SystemExit(f"server exited: see {self.log}")
            time.sleep(0.1)
        raise SystemExit("server did not start")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def pg_database():
    name = "attack_" + uuid.uuid4().hex[:10]
    subprocess.run(["psql", PG_ADMIN, "-qc", f"CREATE DATABASE {name}"], check=True)
    return PG.rsplit("/", 1)[0] + "/" + name, name


def pg_drop(name):
    subprocess.run(["psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"])


def call(base, method, path, token=None, body=None, **kw):
    h = kw.pop("headers", {})
    if token:
        h["Authorization"] = f"Bearer {token}"
    return requests.request(method, base + path, json=body, headers=h, timeout=kw.pop("timeout", 30), **kw)


def tenant(base, msp, email, rpo=60, systems=1):
    r = call(base, "POST", "/api/v1/auth/signup", body={"msp_name": msp, "name": "Owner", "email": email,
                                                         "password": PASSWORD})
    assert r.status_code == 201, r.text
    owner = r.json()["token"]
    client = call(base, "POST", "/api/v1/clients", owner, {"name": f"{msp} client"}).json()["id"]
    systems_out = []
    for i in range(systems):
        r = call(base, "POST", f"/api/v1/clients/{client}/systems", owner, {"name": f"ERP {i}", "rpo_minutes": rpo})
        assert r.status_code == 201, r.text
        systems_out.append((r.json()["id"], r.json().get("ping_key")))
    tok = call(base, "POST", f"/api/v1/clients/{client}/ingest-tokens", owner, {"name": "t"}).json()["token"]
    return {"owner": owner, "client": client, "systems": systems_out, "token": tok}


def event(system, age=timedelta(minutes=5), **over):
    e = {"id": uuid.uuid4().hex, "system_id": system, "kind": "backup_succeeded",
         "restore_point_at": (now() - age).isoformat(), "finished_at": now().isoformat(),
         "duration_seconds": 300, "bytes": 1_000_000}
    e.update(over)
    return e


def ingest(base, token, events, timeout=30):
    return requests.post(base + "/api/v1/ingest/events", json={"events": events},
                         headers={"Authorization": f"Bearer {token}"}, timeout=timeout)


def hammer(seconds, threads, fn):
    """Calls fn(session, thread number) from `threads` threads for `seconds`; returns a Counter
    of what it returned."""
    counts, lock, stop = collections.Counter(), threading.Lock(), time.time() + seconds

    def run(i):
        s = requests.Session()
        while time.time() < stop:
            try:
                k = fn(s, i)
            except requests.RequestException as e:
                k = type(e).__name__
            with lock:
                counts[k] += 1
    ts = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    [t.start() for t in ts]; [t.join() for t in ts]
    return counts


def backends(binary, tmp):
    yield "sqlite", f"sqlite://{tmp}/a.db?mode=rwc", None
    url, name = pg_database()
    try:
        yield "postgres", url, name
    finally:
        pg_drop(name)


def attack1(binary, tmp):
    """One absurd event must not stop ingest for every tenant."""
    for label, db, _ in backends(binary, tmp + "/1"):
        os.makedirs(tmp + "/1", exist_ok=True)
        srv = Server(binary, db)
        try:
            a = tenant(srv.base, "Acme IT", "ann@acme.example")
            b = tenant(srv.base, "Bolt IT", "bob@bolt.example")
            r = ingest(srv.base, a["token"], [event(a["systems"][0][0], duration_seconds=1e13)])
            print(f"  [{label}] duration_seconds=1e13 -> {r.status_code} {json.dumps(r.json().get('errors'))}")
            sys_b, key_b = b["systems"][0]

            def neighbour(s, _):
                if time.time() % 2 < 1:
                    return "ingest %d" % s.post(srv.base + "/api/v1/ingest/events", json={"events": [event(sys_b)]},
                                                headers={"Authorization": f"Bearer {b['token']}"}, timeout=30).status_code
                return "ping %d" % s.get(f"{srv.base}/ping/{key_b}", timeout=30).status_code

            def absurd(s, _):
                return "absurd %d" % s.post(srv.base + "/api/v1/ingest/events",
                                            json={"events": [event(a["systems"][0][0], duration_seconds=1e13)]},
                                            headers={"Authorization": f"Bearer {a['token']}"}, timeout=30).status_code
            mixed = collections.Counter()
            with cf.ThreadPoolExecutor(2) as ex:
                f1 = ex.submit(hammer, 10, 28, neighbour)
                f2 = ex.submit(hammer, 10, 4, absurd)
                mixed.update(f1.result()); mixed.update(f2.result())
            print(f"  [{label}] 10 s, 32 connections (28 neighbour, 4 sending the absurd event): {dict(mixed)}")
            print(f"  [{label}] /healthz afterwards: {requests.get(srv.base + '/healthz').status_code}")
        finally:
            srv.stop()


def attack2(binary, tmp):
    """A deleted client's cached token must not take a neighbour's requests down."""
    for label, db, _ in backends(binary, tmp + "/2"):
        os.makedirs(tmp + "/2", exist_ok=True)
        one = Server(binary, db)
        two = Server(binary, db)
        try:
            a = tenant(one.base, "Acme IT", "ann@acme.example", systems=3)
            b = tenant(one.base, "Bolt IT", "bob@bolt.example", systems=3)
            for srv in (one, two):
                for t in (a, b):
                    assert ingest(srv.base, t["token"], [event(t["systems"][0][0])]).status_code == 202
            r = call(one.base, "DELETE", f"/api/v1/clients/{a['client']}", a["owner"])
            deleted_at = time.time()
            r1 = ingest(one.base, a["token"], [event(a["systems"][0][0])])
            print(f"  [{label}] delete client -> {r.status_code}; its token on the same replica -> {r1.status_code}")

            def mix(s, i):
                t = a if i % 2 else b
                who = "deleted" if t is a else "neighbour"
                r = s.post(two.base + "/api/v1/ingest/events",
                           json={"events": [event(sid) for sid, _ in t["systems"]]},
                           headers={"Authorization": f"Bearer {t['token']}"}, timeout=30)
                return f"{who} {r.status_code}"
            counts = hammer(max(1.0, 11 - (time.time() - deleted_at)), 32, mix)
            print(f"  [{label}] other replica, until its 10 s cache ran out (32 connections): {dict(counts)}")
        finally:
            one.stop(); two.stop()


def attack3(binary, tmp):
    """A tarpit webhook must not delay another MSP's alert."""
    held = []
    tarpit = socket.socket(); tarpit.bind(("127.0.0.1", 0)); tarpit.listen(64)
    threading.Thread(target=lambda: [held.append(tarpit.accept()) for _ in iter(int, 1)], daemon=True).start()
    arrived = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):
            arrived.append(time.time())
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(204); self.end_headers()

        def log_message(self, *a):
            pass
    hook = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    for label, db, _ in backends(binary, tmp + "/3"):
        os.makedirs(tmp + "/3", exist_ok=True)
        arrived.clear()
        srv = Server(binary, db)
        try:
            stuck = tenant(srv.base, "Tarpit IT", "tara@tarpit.example", rpo=1, systems=20)
            fine = tenant(srv.base, "Bolt IT", "bob@bolt.example", rpo=1, systems=1)
            for t, url in ((stuck, f"http://127.0.0.1:{tarpit.getsockname()[1]}/hook"),
                           (fine, f"http://127.0.0.1:{hook.server_address[1]}/hook")):
                r = call(srv.base, "PUT", "/api/v1/alerts/settings", t["owner"], {"webhook_url": url})
                assert r.status_code == 200, r.text
            r = ingest(srv.base, stuck["token"], [event(s, timedelta(minutes=2)) for s, _ in stuck["systems"]])
            assert r.status_code == 202, r.text
            time.sleep(1)
            told = time.time()
            assert ingest(srv.base, fine["token"], [event(fine["systems"][0][0], timedelta(minutes=2))]).status_code == 202
            while not arrived and time.time() - told < 180:
                time.sleep(0.05)
            got = f"{arrived[0] - told:.2f} s" if arrived else "nothing within 180 s"
            print(f"  [{label}] 20 alerts stuck in a tarpit; the other MSP's breach alert arrived after {got}")
        finally:
            srv.stop()


def attack4(binary, tmp):
    """Sign-in attempts must not fill the disk."""
    os.makedirs(tmp + "/4", exist_ok=True)
    db = f"{tmp}/4/a.db"
    log = f"{tmp}/4/server.log"
    srv = Server(binary, f"sqlite://{db}?mode=rwc", log=log, env={"RUST_LOG": "info"})
    try:
        def rows():
            import sqlite3
            c = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
            try:
                return tuple(c.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                             for t in ("audit_log", "login_throttle"))
            finally:
                c.close()

        def size():
            return sum(os.path.getsize(p) for p in (db, db + "-wal") if os.path.exists(p))
        time.sleep(1)
        before, log_before = size(), os.path.getsize(log)
        big = "a" * (1_000_000 - 20) + "@example.com"
        counts = collections.Counter()
        s = requests.Session()
        for _ in range(200):
            counts[s.post(srv.base + "/api/v1/auth/login", json={"email": big, "password": "x" * 50},
                          timeout=30).status_code] += 1
        time.sleep(1)
        print(f"  [sqlite] 200 sign-ins with a 1 MB e-mail: {dict(counts)}; database+WAL "
              f"{before / 1e6:.2f} MB -> {size() / 1e6:.2f} MB; log +{(os.path.getsize(log) - log_before) / 1e3:.1f} kB")
        # then rounds of 2,000 refused attempts over 50 addresses with ordinary sizes
        for n in range(3):
            counts.clear()
            before, log_before = size(), os.path.getsize(log)
            for i in range(2000):
                counts[s.post(srv.base + "/api/v1/auth/login", json={"email": f"x{i % 50}@example.com",
                              "password": "wrong password!"}, timeout=30).status_code] += 1
            time.sleep(1.5)
            audit, throttle = rows()
            print(f"  [sqlite] round {n + 1}: 2,000 wrong passwords over 50 addresses: {dict(counts)}; "
                  f"database+WAL {before / 1e6:.2f} -> {size() / 1e6:.2f} MB; rows: audit_log {audit}, "
                  f"login_throttle {throttle}; log +{(os.path.getsize(log) - log_before) / 1e3:.1f} kB")
    finally:
        srv.stop()


def attack5(binary, tmp):
    """A full disk, then space again; a database file deleted under the server; missing at start."""
    mnt = tmp + "/5"
    os.makedirs(mnt, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", mnt], check=True)
    try:
        srv = Server(binary, f"sqlite://{mnt}/a.db?mode=rwc", log=tmp + "/5.log")
        try:
            t = tenant(srv.base, "Acme IT", "ann@acme.example")
            sid = t["systems"][0][0]
            assert ingest(srv.base, t["token"], [event(sid)]).status_code == 202
            subprocess.run(["dd", "if=/dev/zero", f"of={mnt}/fill", "bs=1M", "count=64"], capture_output=True)
            answers = collections.Counter()
            t0 = time.time()
            for _ in range(10):
                r = ingest(srv.base, t["token"], [event(sid) for _ in range(200)])
                answers[(r.status_code, r.headers.get("Retry-After"))] += 1
            print(f"  disk full: 10 ingest batches of 200 -> {dict(answers)} in {time.time() - t0:.1f} s; "
                  f"/healthz {requests.get(srv.base + '/healthz').status_code}")
            os.remove(f"{mnt}/fill")
            t0 = time.time()
            while requests.get(srv.base + "/healthz").status_code != 200 and time.time() - t0 < 60:
                time.sleep(0.2)
            r = ingest(srv.base, t["token"], [event(sid)])
            print(f"  space back: /healthz 200 after {time.time() - t0:.1f} s, ingest {r.status_code}, "
                  f"same process: {srv.proc.poll() is None}")
            os.remove(f"{mnt}/a.db")
            time.sleep(2)
            h = requests.get(srv.base + "/healthz")
            print(f"  database file deleted while running: /healthz {h.status_code} {h.text[:120]!r}")
        finally:
            srv.stop()
        log = tmp + "/5b.log"
        try:
            Server(binary, f"sqlite://{mnt}/a.db?mode=rwc", log=log).stop()
        except SystemExit:
            pass
        loud = [l for l in open(log, errors="replace") if "new" in l.lower() and "database" in l.lower()]
        print(f"  restart with the file missing: start-up says {loud[:1]!r}")
    finally:
        subprocess.run(["umount", "-l", mnt])


def attack6(binary, tmp):
    """Parallel wrong passwords must be counted atomically."""
    for label, db, _ in backends(binary, tmp + "/6"):
        os.makedirs(tmp + "/6", exist_ok=True)
        srv = Server(binary, db)
        try:
            tenant(srv.base, "Acme IT", "ann@acme.example")
            go = threading.Barrier(25)

            def one(_):
                go.wait()
                return requests.post(srv.base + "/api/v1/auth/login", json={"email": "ann@acme.example",
                                     "password": "wrong password!"}, timeout=30).status_code
            with cf.ThreadPoolExecutor(25) as ex:
                got = collections.Counter(ex.map(one, range(25)))
            print(f"  [{label}] 25 concurrent wrong passwords (limit 5): {dict(got)}")
        finally:
            srv.stop()


def attack7(binary, tmp):
    """A spoofed leftmost X-Forwarded-For must not reset the per-IP limit."""
    os.makedirs(tmp + "/7", exist_ok=True)
    srv = Server(binary, f"sqlite://{tmp}/7/a.db?mode=rwc", env={"LIFELINE_TRUST_FORWARDED_FOR": "true"})
    try:
        got = collections.Counter()
        for i in range(40):
            got[requests.post(srv.base + "/api/v1/auth/login",
                              json={"email": f"u{i}@example.com", "password": "wrong password!"},
                              headers={"X-Forwarded-For": f"10.9.{i}.{i}, 203.0.113.7"}, timeout=30).status_code] += 1
        print(f"  40 wrong sign-ins, 40 different spoofed leftmost addresses, one real client (per-IP limit 30): {dict(got)}")
    finally:
        srv.stop()


def main():
    ap = argparse.ArgumentParser()
    target = os.environ.get("CARGO_TARGET_DIR", "target")
    ap.add_argument("--bin", default=f"{target}/release/lifeline")
    ap.add_argument("--only", default="1,2,3,4,5,6,7")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="lifeline-attack-")
    try:
        for n in args.only.split(","):
            print(f"attack {n}: {globals()['attack' + n].__doc__ or ''}".rstrip(), flush=True)
            t0 = time.time()
            globals()["attack" + n](os.path.abspath(args.bin), tmp)
            print(f"  ({time.time() - t0:.0f} s)", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
