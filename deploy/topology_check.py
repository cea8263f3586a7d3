#!/usr/bin/env python3
"""Topology check of the two-gateway stack (deploy/stack check runs it), through nginx only.

Two fresh users become friends and open their direct room; each opens a WebSocket, on different
gateways (nginx's X-Upstream header on the 101 tells which). A sends 40 messages with unique
clientIds at a steady pace; after the 15th ack the gateway of B (or, with --kill sender, of A) is
SIGKILLed. The cut-off client reconnects through nginx (landing on the surviving gateway), rejoins
with afterSeq = the last seq it saw, and A resends whatever was not acknowledged (same clientId:
the server deduplicates). In the end both clients must hold every message exactly once, in seq
order (seqs 1..40). Every wait is bounded and tied to an event (ack, frame, reconnect).

Needs python3 and the `websockets` package (deploy/stack keeps a venv in target/stack/venv).
Exit 0 with a one-line summary on success; 1 with the reason otherwise.
"""
import argparse
import asyncio
import email
import http.client
import json
import os
import re
import secrets
import signal
import sys
import time
import urllib.parse
import urllib.request

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus


class CheckFailed(Exception):
    pass


def log(args, text):
    if args.verbose:
        print(f"[{time.monotonic() - T0:7.2f}s] {text}", flush=True)


T0 = time.monotonic()


# ----------------------------------------------------------------------------------------------
# HTTP through nginx


def call(args, method, path, body=None, token=None, timeout=30.0):
    """One request to nginx from args.source; returns (status, headers, parsed JSON body)."""
    url = urllib.parse.urlsplit(args.url)
    headers = {}
    data = None if body is None else json.dumps(body).encode()
    if data is not None:
        headers["content-type"] = "application/json"
    if token:
        headers["authorization"] = f"Bearer {token}"
    conn = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=timeout,
                                      source_address=(args.source, 0) if args.source else None)
    try:
        conn.request(method, path, body=data, headers=headers)
        resp = conn.getresponse()
        status, headers, raw = resp.status, resp.headers, resp.read()
    except OSError as err:
        raise CheckFailed(f"{method} {path}: no answer from nginx at {args.url}: {err}") from err
    finally:
        conn.close()
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = raw.decode(errors="replace")
    return status, headers, parsed


def expect(args, method, path, statuses, body=None, token=None):
    status, headers, parsed = call(args, method, path, body, token)
    if status not in statuses:
        hint = ""
        if status == 429:
            hint = (f" (rate limited; Retry-After {headers.get('Retry-After')} s: registrations are "
                    "limited to 10 an hour per client address; try another --source)")
        raise CheckFailed(f"{method} {path}: HTTP {status}, expected {statuses}: {parsed}{hint}")
    return parsed


def newest_code(maildir, address, since, timeout):
    """The 6-digit code of the newest mail to `address` in maildir/new written after `since`."""
    deadline = time.monotonic() + timeout
    folder = os.path.join(maildir, "new")
    while True:
        best = None
        with os.scandir(folder) as entries:
            for entry in entries:
                try:
                    mtime = entry.stat().st_mtime
                except FileNotFoundError:
                    continue
                if mtime < since - 2 or (best and mtime <= best[0]):
                    continue
                try:
                    with open(entry.path, "rb") as fh:
                        msg = email.message_from_binary_file(fh)
                except FileNotFoundError:
                    continue
                if address.lower() in (msg.get("To") or "").lower():
                    best = (mtime, msg)
        if best:
            body = best[1].get_payload(decode=True).decode(errors="replace")
            match = re.search(r"Your code: (\d{6})", body) or re.search(r"\b(\d{6})\b", body)
            if match:
                return match.group(1)
        if time.monotonic() > deadline:
            raise CheckFailed(f"no code mailed to {address} in {folder} within {timeout:.0f}s")
        time.sleep(0.1)


def register(args, tag, run):
    username = f"topo{tag}_{run}"
    address = f"{username}@example.com"
    password = "topology-pw-" + secrets.token_hex(4)
    since = time.time()
    expect(args, "GET", "/user/register-captcha?address=" + urllib.parse.quote(address), {200})
    code = newest_code(args.maildir, address, since, timeout=20)
    expect(args, "POST", "/user/register", {201}, {
        "username": username, "nickName": f"Topo {tag}", "password": password,
        "email": address, "captcha": code})
    login = expect(args, "POST", "/user/login", {200},
                   {"username": username, "password": password})
    return {"username": username, "id": login["user"]["id"], "token": login["token"]}


# ----------------------------------------------------------------------------------------------
# WebSocket clients


def upstream_port(upstream):
    """nginx's $upstream_addr lists every upstream tried ("a, b"): the last one answered."""
    if not upstream:
        raise CheckFailed("the 101 response carries no X-Upstream header (deploy/stack's nginx.conf?)")
    return int(upstream.split(",")[-1].strip().rsplit(":", 1)[1])


async def open_socket(ws_url, token, timeout):
    """Connect through nginx, retrying while it has no gateway to offer (502/503, refused)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            ws = await connect(f"{ws_url}/chat?token={token}", open_timeout=10, close_timeout=2,
                               max_size=2 ** 20)
            return ws, upstream_port(ws.response.headers.get("X-Upstream"))
        except InvalidStatus as err:
            last = f"HTTP {err.response.status_code}"
            if err.response.status_code not in (502, 503, 504):
                raise CheckFailed(f"WebSocket upgrade refused: {last}") from err
        except (OSError, InvalidHandshake, asyncio.TimeoutError) as err:
            last = repr(err)
        await asyncio.sleep(0.1)
    raise CheckFailed(f"no WebSocket through nginx within {timeout:.0f}s (last: {last})")


class Client:
    """A socket that follows a room as a careful client does: it reconnects through nginx and
    rejoins with afterSeq = the last seq it holds, and when a live frame skips seqs (a message
    stored by a gateway that died before publishing it) it fetches the gap over HTTP, as
    docs/ws-protocol.md says. Frames over the socket must come in seq order and never twice."""

    def __init__(self, args, name, token, room):
        self.args, self.name, self.token, self.room = args, name, token, room
        self.ws = None
        self.port = None
        self.ports = []             # every gateway this client was served by, in order
        self.held = {}              # seq -> (clientId, content)
        self.delivered = []         # seqs handed on in order (contiguous: 1, 2, 3, ...)
        self.last_seq = 0           # the last seq delivered: afterSeq of the next joinRoom
        self.join_seq = 0           # the highest seq this socket's current join has sent
        self.filled = []            # seqs that had to be fetched over HTTP (gaps)
        self.acks = {}              # clientId -> seq
        self.pending = {}           # clientId -> frame, until acked (resent after a reconnect)
        self.resent = 0             # frames sent again after a reconnect
        self.errors = []
        self.reconnects = []        # (seconds to reconnect, afterSeq, port, close code)
        self.joined = asyncio.Event()
        self.changed = asyncio.Event()   # set on every frame: waiters re-check their condition
        self.closed_at = None
        self.stopping = False

    async def attach(self, ws, port):
        self.ws, self.port = ws, port
        self.ports.append(port)
        self.joined.clear()
        self.join_seq = self.last_seq
        await self.ws.send(json.dumps({"event": "joinRoom",
                                       "data": {"chatroomId": self.room, "afterSeq": self.last_seq}}))

    async def run(self):
        while True:
            try:
                async for raw in self.ws:  # ends on a clean close, raises on an abrupt one
                    await self.on_frame(json.loads(raw))
            except ConnectionClosed:
                pass
            if self.stopping:
                return
            self.closed_at = time.monotonic()
            self.joined.clear()
            after = self.last_seq
            code = self.ws.close_code
            log(self.args, f"{self.name}: socket on :{self.port} closed "
                           f"({self.ws.close_code}); reconnecting")
            ws, port = await open_socket(self.args.ws_url, self.token, self.args.timeout)
            await self.attach(ws, port)
            self.reconnects.append((time.monotonic() - self.closed_at, after, port, code))
            log(self.args, f"{self.name}: reconnected to :{port}, joinRoom afterSeq={after}")

    async def on_frame(self, frame):
        event, data = frame.get("event"), frame.get("data") or {}
        if event == "joined":
            if data.get("chatroomId") == self.room:
                self.joined.set()
                # Whatever was sent without an ack may be lost with the old gateway: resend it
                # (same clientId, so a message that was stored comes back as the same ack).
                for frame_text in list(self.pending.values()):
                    self.resent += 1
                    await self.ws.send(frame_text)
        elif event == "ack":
            cid, seq = data.get("clientId"), data.get("seq")
            if cid in self.acks and self.acks[cid] != seq:
                self.errors.append(f"{self.name}: {cid} acked as seq {self.acks[cid]} and then {seq}")
            self.acks[cid] = seq
            self.pending.pop(cid, None)
        elif event == "message" and data.get("type") == "sendMessage":
            msg = data["message"]
            if msg.get("chatroomId") == self.room:
                await self.on_message(msg)
        elif event == "error":
            self.errors.append(f"{self.name}: error frame {data}")
        self.changed.set()

    async def on_message(self, msg):
        seq = msg["seq"]
        if seq <= self.join_seq:
            self.errors.append(f"{self.name}: seq {seq} came over the socket after seq "
                               f"{self.join_seq} (twice or out of order)")
            return
        self.join_seq = seq
        if seq in self.held:
            return  # already fetched over HTTP to fill a gap
        if seq > self.last_seq + 1:
            await self.fill_gap(seq)
        self.held[seq] = (msg.get("clientId"), msg.get("content"))
        while self.last_seq + 1 in self.held:
            self.last_seq += 1
            self.delivered.append(self.last_seq)

    async def fill_gap(self, upto):
        path = f"/chatroom/{self.room}/messages?afterSeq={self.last_seq}&limit=100"
        page = await asyncio.to_thread(expect, self.args, "GET", path, {200}, None, self.token)
        fetched = []
        for item in page["items"]:
            if item["seq"] < upto and item["seq"] not in self.held:
                self.held[item["seq"]] = (item.get("clientId"), item.get("content"))
                fetched.append(item["seq"])
        self.filled += fetched
        missing = [s for s in range(self.last_seq + 1, upto) if s not in self.held]
        if missing:
            self.errors.append(f"{self.name}: seqs {missing} neither delivered nor in the history")
        log(self.args, f"{self.name}: seq {upto} came after {self.last_seq} over the socket: "
                       f"fetched {fetched} over HTTP")

    async def wait_for(self, what, condition, timeout):
        deadline = time.monotonic() + timeout
        while not condition():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise CheckFailed(f"{self.name}: {what}: not within {timeout:.0f}s")
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), min(remaining, 0.5))
            except asyncio.TimeoutError:
                pass

    async def send_message(self, cid, content):
        frame = json.dumps({"event": "sendMessage", "data": {
            "chatroomId": self.room, "clientId": cid,
            "message": {"type": "text", "content": content}}})
        await asyncio.wait_for(self.joined.wait(), self.args.timeout)
        self.pending[cid] = frame
        try:
            await self.ws.send(frame)
        except ConnectionClosed:
            pass  # resent from `joined` after the reconnect

    async def close(self):
        self.stopping = True
        if self.ws is not None:
            await self.ws.close()


def gateway_pid(stack_dir, port):
    """The pid of the stack's gateway on `port` (target/stack/gw<N>.port and gw<N>.pid)."""
    for name in sorted(os.listdir(stack_dir)):
        match = re.fullmatch(r"gw(\d+)\.port", name)
        if match and open(os.path.join(stack_dir, name)).read().strip() == str(port):
            pid = int(open(os.path.join(stack_dir, f"gw{match.group(1)}.pid")).read().strip())
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as fh:
                    program = fh.read().split(b"\0")[0].decode(errors="replace")
            except FileNotFoundError:
                raise CheckFailed(f"gateway {match.group(1)} (pid {pid}) is not running") from None
            if "gateway" not in os.path.basename(program):
                raise CheckFailed(f"pid {pid} of gw{match.group(1)}.pid is {program!r}, not a gateway")
            return int(match.group(1)), pid
    raise CheckFailed(f"no gateway of the stack listens on {port} (pid files in {stack_dir})")


# ----------------------------------------------------------------------------------------------


async def main(args):
    started = time.monotonic()
    status, _, _ = call(args, "GET", "/health", timeout=5)
    if status != 200:
        raise CheckFailed(f"GET /health through nginx: HTTP {status}")
    run = secrets.token_hex(4)
    a = await asyncio.to_thread(register, args, "a", run)
    b = await asyncio.to_thread(register, args, "b", run)
    log(args, f"registered {a['username']} (id {a['id']}) and {b['username']} (id {b['id']})")
    request = await asyncio.to_thread(expect, args, "POST", "/friendship/add", {201},
                                      {"username": b["username"]}, a["token"])
    await asyncio.to_thread(expect, args, "POST", f"/friend_request/agree/{request['id']}",
                            {200}, None, b["token"])
    room = (await asyncio.to_thread(expect, args, "POST", "/chatroom/create-one-to-one",
                                    {200, 201}, {"friendId": b["id"]}, a["token"]))["id"]
    log(args, f"friends; direct room {room}")

    # Two sockets on two gateways: reconnect B until nginx hands it the other one.
    ws_a, port_a = await open_socket(args.ws_url, a["token"], args.timeout)
    deadline = time.monotonic() + args.timeout
    tries = 0
    while True:
        tries += 1
        ws_b, port_b = await open_socket(args.ws_url, b["token"], args.timeout)
        if port_b != port_a:
            break
        await ws_b.close()
        if time.monotonic() > deadline:
            raise CheckFailed(f"every socket lands on :{port_a} ({tries} tries): is the other gateway up?")
    log(args, f"A on :{port_a}, B on :{port_b} (B after {tries} connection(s))")

    sender, receiver = Client(args, "A", a["token"], room), Client(args, "B", b["token"], room)
    tasks = []
    for client, ws, port in ((sender, ws_a, port_a), (receiver, ws_b, port_b)):
        await client.attach(ws, port)
        tasks.append(asyncio.create_task(client.run()))
    watchdog = asyncio.gather(*tasks)  # a failed reconnect surfaces here

    async def body():
        for client in (sender, receiver):
            await asyncio.wait_for(client.joined.wait(), args.timeout)
        victim_port = port_b if args.kill == "receiver" else port_a
        victim_n, victim_pid = gateway_pid(args.stack_dir, victim_port)
        ids = [f"topo-{run}-{i:02d}" for i in range(1, args.messages + 1)]
        for i, cid in enumerate(ids, 1):
            if i == args.kill_after + 1:
                # Mid-stream: the first messages are stored and acknowledged, this one is in flight.
                await sender.wait_for(f"ack of message {i - 1}", lambda c=ids[i - 2]: c in sender.acks,
                                      args.timeout)
                await sender.send_message(cid, f"message {i} of {args.messages}")
                if args.fault == "redis":
                    drop_subscriptions(args)
                    log(args, f"Redis dropped every subscription after {len(sender.acks)} acks, "
                              f"message {i} in flight")
                else:
                    os.kill(victim_pid, args.signal)
                    log(args, f"{args.signal.name} gateway {victim_n} (pid {victim_pid}, :{victim_port}) "
                              f"after {len(sender.acks)} acks, message {i} in flight")
            else:
                await sender.send_message(cid, f"message {i} of {args.messages}")
            await asyncio.sleep(args.pace)  # a steady pace, not a synchronisation
        await sender.wait_for(f"acks of all {args.messages} messages",
                              lambda: all(c in sender.acks for c in ids), args.timeout)
        top = max(sender.acks[c] for c in ids)
        for client in (sender, receiver):
            await client.wait_for(f"messages up to seq {top}", lambda c=client: c.last_seq >= top,
                                  args.timeout)
        return ids, victim_n, victim_pid, victim_port

    body_task = asyncio.create_task(body())
    done, _ = await asyncio.wait({body_task, watchdog}, return_when=asyncio.FIRST_COMPLETED)
    if body_task not in done:
        body_task.cancel()
        watchdog.result()  # raises the reconnect failure
        raise CheckFailed("a client stopped unexpectedly")
    ids, victim_n, victim_pid, victim_port = body_task.result()
    for client in (sender, receiver):
        await client.close()
    watchdog.cancel()

    # Verdict.
    problems = []
    seqs = sorted(sender.acks[c] for c in ids)
    expected = list(range(1, args.messages + 1))
    if seqs != expected:
        problems.append(f"acked seqs are {seqs}, expected 1..{args.messages}")
    seq_of = {sender.acks[c]: c for c in ids}
    for client in (sender, receiver):
        problems += client.errors
        if client.delivered != expected:
            problems.append(f"{client.name} holds seqs {client.delivered}, expected 1..{args.messages}")
        wrong = [s for s in expected if client.held.get(s, (None,))[0] != seq_of.get(s)]
        if wrong:
            problems.append(f"{client.name}: seqs {wrong} carry other clientIds than their acks")
    if args.fault == "redis":
        closed = [c.name for c in (sender, receiver) if c.reconnects]
        if closed:
            problems.append(f"the sockets of {', '.join(closed)} were closed when Redis dropped "
                            "the subscriptions")
        if problems:
            raise CheckFailed("; ".join(problems))
        print(f"redis check passed: {args.messages} messages, A on :{port_a}, B on :{port_b}; Redis "
              f"dropped every gateway's subscription after {args.kill_after} acks with message "
              f"{args.kill_after + 1} in flight; both sockets stayed open and A and B each hold seqs "
              f"1..{args.messages} exactly once, in order ({time.monotonic() - started:.1f}s)")
        return
    cut = receiver if args.kill == "receiver" else sender
    if not cut.reconnects:
        problems.append(f"{cut.name}'s socket survived the SIGKILL of its gateway :{victim_port}")
    elif cut.reconnects[0][2] == victim_port:
        problems.append(f"{cut.name} reconnected to the killed gateway :{victim_port}")
    elif args.signal == signal.SIGTERM and cut.reconnects[0][3] != 1001:
        problems.append(f"{cut.name}'s socket was closed with {cut.reconnects[0][3]}, not 1001 "
                        "(going away) when its gateway got SIGTERM")
    if problems:
        raise CheckFailed("; ".join(problems))

    took, after, port, code = cut.reconnects[0]
    gaps = ", ".join(f"{c.name} seq {c.filled}" for c in (sender, receiver) if c.filled)
    print(f"topology check passed: {args.messages} messages, A on :{port_a}, B on :{port_b}; "
          f"gateway {victim_n} (:{victim_port}, pid {victim_pid}) got {args.signal.name} after "
          f"{args.kill_after} acks with message {args.kill_after + 1} in flight; {cut.name}'s socket "
          f"closed ({code}), reconnected to :{port} in {took:.2f}s and rejoined with afterSeq={after}; "
          f"A and B each hold seqs 1..{args.messages} exactly once, in order "
          f"({sum(len(c.reconnects) for c in (sender, receiver))} reconnect(s), "
          f"{sender.resent} message(s) resent by A, gaps fetched over HTTP: {gaps or 'none'}; "
          f"{time.monotonic() - started:.1f}s)")


def drop_subscriptions(args):
    """Redis closes every pub/sub connection (each gateway's subscription) at once."""
    import subprocess
    done = subprocess.run(["redis-cli", "-u", args.redis_url, "CLIENT", "KILL", "TYPE", "pubsub"],
                          capture_output=True, text=True, timeout=args.timeout)
    if done.returncode != 0 or not done.stdout.strip().isdigit() or int(done.stdout) < 1:
        raise CheckFailed(f"redis-cli CLIENT KILL TYPE pubsub: {done.stdout.strip()} {done.stderr.strip()}")


def parse():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--url", default="http://127.0.0.1:8080", help="nginx, the only address used")
    p.add_argument("--stack-dir", default="target/stack", help="where gw<N>.pid and gw<N>.port are")
    p.add_argument("--maildir", default=os.environ.get("TEST_MAILDIR"),
                   help="the SMTP sink's maildir (default $TEST_MAILDIR)")
    p.add_argument("--source", default=f"127.0.0.{secrets.randbelow(250) + 2}",
                   help="local address of the HTTP requests (default: a random 127.0.0.x, so that "
                        "the per-address registration limit, 10 an hour, does not stop reruns; "
                        "nginx forwards it in X-Forwarded-For)")
    p.add_argument("--messages", type=int, default=40)
    p.add_argument("--kill-after", type=int, default=15,
                   help="SIGKILL once this many messages are acknowledged and the next one is sent")
    p.add_argument("--kill", choices=("receiver", "sender"), default="receiver",
                   help="whose gateway dies: B's (default) or A's (then A resends unacked messages)")
    p.add_argument("--signal", choices=("KILL", "TERM"), default="KILL",
                   help="KILL: the gateway dies (default); TERM: a graceful stop, as in a rolling "
                        "restart (the socket must be closed with 1001)")
    p.add_argument("--fault", choices=("gateway", "redis"), default="gateway",
                   help="gateway: --signal to a gateway (default); redis: Redis drops every "
                        "subscription (the sockets must stay open and miss nothing)")
    p.add_argument("--redis-url", default=os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379"),
                   help="the stack's Redis, for --fault redis (default $TEST_REDIS_URL)")
    p.add_argument("--pace", type=float, default=0.06, help="seconds between sends")
    p.add_argument("--timeout", type=float, default=30.0, help="bound of every single wait")
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args()
    if not args.maildir:
        p.error("--maildir (or TEST_MAILDIR) is required")
    if not 1 <= args.kill_after < args.messages:
        p.error("--kill-after must be between 1 and --messages - 1")
    args.signal = signal.Signals["SIG" + args.signal]
    args.url = args.url.rstrip("/")
    args.ws_url = "ws" + args.url[len("http"):]
    return args


if __name__ == "__main__":
    arguments = parse()
    try:
        asyncio.run(asyncio.wait_for(main(arguments), 300))
    except CheckFailed as failure:
        print(f"topology check FAILED: {failure}", file=sys.stderr)
        sys.exit(1)
    except asyncio.TimeoutError:
        print("topology check FAILED: did not finish within 300 s", file=sys.stderr)
        sys.exit(1)
