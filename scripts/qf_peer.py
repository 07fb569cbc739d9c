#!/usr/bin/env python3
"""A QuickFIX peer for Gapless's interop tests.

It logs on (as initiator or acceptor), sends --send NewOrderSingles with
ClOrdID `<prefix>-<n>` paced at --rate per second, echoes received orders
back when --echo is set, and checks that the orders it receives from the
other side (ClOrdID `<other-prefix>-<n>`) arrive exactly once and in order.
With --state FILE its counters survive a restart, so a stopped peer resumes
the stream where it left off (QuickFIX's FileStore resumes the seqs).

It exits 0 once it has sent --send orders and received --expect, after a
Logout, and prints one JSON line of counters; 1 on any loss, duplicate,
reorder or timeout. QuickFIX validates everything it receives against its
own data dictionary (UseDataDictionary=Y).
"""
import argparse
import json
import os
import signal
import sys
import threading
import time

import quickfix as fix


def settings_text(a):
    dd = os.path.join(sys.prefix, "share", "quickfix", a.begin.replace(".", "").replace("FIXT11", "FIX44") + ".xml")
    lines = [
        "[DEFAULT]",
        f"ConnectionType={a.role}",
        f"FileStorePath={a.store}",
        f"FileLogPath={a.store}/log",
        "HeartBtInt=30",
        "StartTime=00:00:00",
        "EndTime=00:00:00",
        "ReconnectInterval=1",
        "UseDataDictionary=Y",
        f"DataDictionary={dd}",
        "ValidateUserDefinedFields=N",
        "[SESSION]",
        f"BeginString={a.begin}",
        f"SenderCompID={a.sender}",
        f"TargetCompID={a.target}",
    ]
    if a.role == "initiator":
        lines += [f"SocketConnectHost={a.host}", f"SocketConnectPort={a.port}"]
    else:
        lines += [f"SocketAcceptPort={a.port}"]
    return "\n".join(lines) + "\n"


class Peer(fix.Application):
    def __init__(self, a, state):
        super().__init__()
        self.a = a
        self.sid = None
        self.logged_on = threading.Event()
        self.lock = threading.Lock()
        self.sent = state.get("sent", 0)
        self.next_expected = state.get("next_expected", 1)
        self.received = state.get("received", 0)
        self.lost = state.get("lost", 0)
        self.duplicated = state.get("duplicated", 0)
        self.out_of_order = state.get("out_of_order", 0)
        self.resend_requests = 0
        self.gap_fills = 0
        self.poss_dups = 0

    def state(self):
        return {k: getattr(self, k) for k in ("sent", "next_expected", "received", "lost", "duplicated", "out_of_order")}

    def onCreate(self, sid):
        self.sid = sid

    def onLogon(self, sid):
        self.logged_on.set()

    def onLogout(self, sid):
        self.logged_on.clear()

    def toAdmin(self, msg, sid):
        pass

    def fromAdmin(self, msg, sid):
        t = msg.getHeader().getField(35)
        if t == "2":
            self.resend_requests += 1
        elif t == "4":
            self.gap_fills += 1

    def toApp(self, msg, sid):
        pass

    def fromApp(self, msg, sid):
        if msg.getHeader().isSetField(43) and msg.getHeader().getField(43) == "Y":
            self.poss_dups += 1
        clordid = msg.getField(11)
        prefix, _, n = clordid.rpartition("-")
        if self.a.echo and prefix != self.a.prefix:
            echo = fix.Message(msg.toString())
            echo.getHeader().removeField(43)
            echo.getHeader().removeField(122)
            fix.Session.sendToTarget(echo, sid)
        if prefix != self.a.expect_prefix:
            return
        n = int(n)
        with self.lock:
            if n == self.next_expected:
                self.next_expected += 1
            elif n < self.next_expected:
                self.duplicated += 1
            else:
                self.out_of_order += 1
                self.next_expected = n + 1
            self.received += 1

    def order(self, n):
        m = fix.Message()
        h = m.getHeader()
        h.setField(fix.MsgType("D"))
        m.setField(fix.ClOrdID(f"{self.a.prefix}-{n}"))
        m.setField(fix.HandlInst("1"))
        m.setField(fix.Symbol("GPLS"))
        m.setField(fix.Side("1"))
        m.setField(fix.TransactTime())
        m.setField(fix.OrdType("1"))
        m.setField(fix.OrderQty(100))
        return m


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--role", choices=["initiator", "acceptor"], required=True)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--begin", default="FIX.4.4")
    p.add_argument("--sender", required=True)
    p.add_argument("--target", required=True)
    p.add_argument("--store", required=True, help="QuickFIX FileStorePath")
    p.add_argument("--state", help="JSON file keeping the counters across restarts")
    p.add_argument("--send", type=int, default=0, help="orders to send in all")
    p.add_argument("--rate", type=float, default=20000.0, help="orders per second")
    p.add_argument("--expect", type=int, default=0, help="orders to receive in all")
    p.add_argument("--prefix", default="qf", help="ClOrdID prefix of our orders")
    p.add_argument("--expect-prefix", default="qf", help="ClOrdID prefix of the orders we count")
    p.add_argument("--echo", action="store_true", help="echo every order of the other side")
    p.add_argument("--timeout", type=float, default=60.0)
    p.add_argument("--stop-after", type=int, default=0, help="stop (QuickFIX logs out) after sending this many in this run and receiving their echoes")
    a = p.parse_args()

    state = {}
    if a.state and os.path.exists(a.state):
        with open(a.state) as f:
            state = json.load(f)
    os.makedirs(a.store, exist_ok=True)
    cfg = os.path.join(a.store, "peer.cfg")
    with open(cfg, "w") as f:
        f.write(settings_text(a))
    app = Peer(a, state)
    settings = fix.SessionSettings(cfg)
    factory = fix.FileStoreFactory(settings)
    logs = fix.FileLogFactory(settings)
    engine = (fix.SocketInitiator if a.role == "initiator" else fix.ThreadedSocketAcceptor)(app, factory, settings, logs)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    engine.start()
    deadline = time.time() + a.timeout
    sent_this_run = 0
    period = 1.0 / a.rate
    next_send = time.time()

    def save():
        if a.state:
            with app.lock:
                s = app.state()
            with open(a.state + ".tmp", "w") as f:
                json.dump(s, f)
            os.replace(a.state + ".tmp", a.state)

    ok = False
    while time.time() < deadline and not stop.is_set():
        if not a.stop_after and app.received >= a.expect and app.sent >= a.send:
            # Done, even if the other side has logged out already.
            ok = True
            break
        if not app.logged_on.wait(0.05):
            continue
        if app.sent < a.send and (not a.stop_after or sent_this_run < a.stop_after):
            now = time.time()
            if now < next_send:
                time.sleep(min(next_send - now, 0.001))
                continue
            next_send = max(next_send + period, now - 0.01)
            try:
                fix.Session.sendToTarget(app.order(app.sent + 1), app.sid)
            except fix.SessionNotFound:
                continue
            app.sent += 1
            sent_this_run += 1
            if app.sent % 200 == 0:
                save()
            continue
        if a.stop_after and sent_this_run >= a.stop_after:
            # Stop only once every echo of ours is in: QuickFIX handles a
            # Logout without waiting for an open gap to fill, and loses the
            # missing message if one is open (seen with injected drops).
            if app.received >= app.sent:
                break
            time.sleep(0.01)
            continue
        if app.received >= a.expect and app.sent >= a.send:
            ok = True
            break
        time.sleep(0.01)
    if ok:
        time.sleep(0.5)  # let echoes and resends settle before logging out
        engine.stop()
    else:
        engine.stop(True)
    save()  # after the engine stopped: nothing arrives uncounted
    with app.lock:
        result = app.state()
    result.update(resend_requests_received=app.resend_requests, gap_fills_received=app.gap_fills, poss_dups_received=app.poss_dups)
    result["lost"] = max(0, a.expect - app.received) if ok or not a.stop_after else 0
    print(json.dumps(result), flush=True)
    clean = result["duplicated"] == 0 and result["out_of_order"] == 0
    sys.exit(0 if (ok or a.stop_after) and clean else 1)


if __name__ == "__main__":
    main()
