#!/usr/bin/env python3
"""QuickFIX's acceptance-test acceptor (QuickFIX's src/at.py with the
application of src/at_application.h, the C++ test engine's: echoes keyed
by ClOrdID and session, forgotten at every logout), serving the sessions of the acceptance
suite on one port: TW40 ... TW50SP2 against ISLD, ResetOnLogon=Y, the
QuickFIX dictionaries of the PyPI package. Used by
engine/tests/acceptance.rs to prove the runner on the reference engine.

Usage: qf_acceptor.py --port 5001 --store DIR
"""
import argparse
import os
import sys
import time

import quickfix as fix

SESSIONS = [
    ("FIX.4.0", "TW40", "FIX40.xml", None),
    ("FIX.4.1", "TW41", "FIX41.xml", None),
    ("FIX.4.2", "TW42", "FIX42.xml", None),
    ("FIX.4.3", "TW43", "FIX43.xml", None),
    ("FIX.4.4", "TW44", "FIX44.xml", None),
    ("FIXT.1.1", "TW50", "FIX50.xml", "FIX.5.0"),
    ("FIXT.1.1", "TW50SP1", "FIX50SP1.xml", "FIX.5.0SP1"),
    ("FIXT.1.1", "TW50SP2", "FIX50SP2.xml", "FIX.5.0SP2"),
]


class Application(fix.Application):
    """Echoes NewOrderSingle (a PossResend one only if its ClOrdID is new
    on the session) and SecurityDefinition; anything else is unsupported.
    A session's seen ClOrdIDs are forgotten at its logout (at_application.h)."""

    def __init__(self):
        super().__init__()
        self.order_ids = {}

    def onCreate(self, sessionID):
        return

    def onLogon(self, sessionID):
        return

    def onLogout(self, sessionID):
        # at_application.h clears every session's; here sessions run side
        # by side, so each forgets only its own.
        sid = sessionID.toString()
        self.order_ids = {k: v for k, v in self.order_ids.items() if k[1] != sid}

    def toAdmin(self, message, sessionID):
        return

    def fromAdmin(self, message, sessionID):
        return

    def toApp(self, message, sessionID):
        return

    def fromApp(self, message, sessionID):
        msg_type = fix.MsgType()
        message.getHeader().getField(msg_type)
        if msg_type.getValue() == fix.MsgType_NewOrderSingle:
            echo = fix.Message(message)
            poss_resend = fix.PossResend(False)
            if message.getHeader().isSetField(poss_resend):
                message.getHeader().getField(poss_resend)
            cl_ord_id = fix.ClOrdID()
            message.getField(cl_ord_id)
            key = (cl_ord_id.getString(), sessionID.toString())
            if poss_resend.getValue() and key in self.order_ids:
                return
            self.order_ids[key] = True
            fix.Session.sendToTarget(echo, sessionID)
        elif msg_type.getValue() == fix.MsgType_SecurityDefinition:
            fix.Session.sendToTarget(fix.Message(message), sessionID)
        else:
            raise fix.UnsupportedMessageType()


def settings_text(port, store, share):
    lines = [
        "[DEFAULT]",
        "ConnectionType=acceptor",
        f"SocketAcceptPort={port}",
        "SocketReuseAddress=Y",
        "StartTime=00:00:00",
        "EndTime=00:00:00",
        "SenderCompID=ISLD",
        "ResetOnLogon=Y",
        f"FileStorePath={store}",
    ]
    for begin, target, dictionary, appl in SESSIONS:
        lines += ["[SESSION]", f"BeginString={begin}", f"TargetCompID={target}"]
        if appl:
            lines += [
                f"DefaultApplVerID={appl}",
                f"TransportDataDictionary={share}/FIXT11.xml",
                f"AppDataDictionary={share}/{dictionary}",
            ]
        else:
            lines.append(f"DataDictionary={share}/{dictionary}")
    return "\n".join(lines) + "\n"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=5001)
    p.add_argument("--store", default="store")
    args = p.parse_args()
    share = os.path.join(sys.prefix, "share", "quickfix")
    path = os.path.join(os.path.dirname(os.path.abspath(args.store)), "qf_acceptor.cfg")
    with open(path, "w") as f:
        f.write(settings_text(args.port, args.store, share))
    settings = fix.SessionSettings(path)
    acceptor = fix.SocketAcceptor(
        Application(), fix.FileStoreFactory(settings), settings
    )
    acceptor.start()
    print("qf_acceptor: listening on", args.port, flush=True)
    try:
        while True:
            time.sleep(1)
    finally:
        acceptor.stop()


if __name__ == "__main__":
    main()
