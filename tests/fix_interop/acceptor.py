#!/usr/bin/env python3
"""A scripted FIX 4.4 broker built on QuickFIX (the `quickfix` PyPI binding), for
tests/fix_interop.rs: crossarb's initiator session logs on to it over 127.0.0.1.

Usage: acceptor.py PORT DIR
  PORT  TCP port to listen on (127.0.0.1 only).
  DIR   empty directory for QuickFIX's FileStore (DIR/store) and FileLog (DIR/log).

Session: BeginString FIX.4.4, SenderCompID BROKER, TargetCompID CLIENT, the FIX44 data
dictionary shipped with the package (validates every incoming message), no sequence resets.

How each NewOrderSingle is answered -- the scripted rule. The test queues actions per Symbol
(stdin `plan SYMBOL ACTION...`); every NewOrderSingle on that symbol takes the next action in
arrival order (a PossDup replay of an order already seen takes none); an empty queue means `fill`.
Fills are at the order's own Price (44), OrderID is `O<ClOrdID>`.
  fill     ExecutionReport trade for the whole quantity (150=F, 39=2).
  partial  trade for qty // 2 (at least 1); then an IOC order's rest is canceled (150=4, 39=4),
           a Day order's rest rests until an OrderCancelRequest.
  reject   ExecutionReport rejected (150=8, 39=8, 103=0).
  rest     ack (150=0) and rest until an OrderCancelRequest, which cancels it (150=4, 39=4).
  hold     no answer at all until stdin `release`; then ack and full fill (a late fill).
  drop     ack; drop the TCP connection; then a full fill, sent while disconnected: QuickFIX
           stores it under the next MsgSeqNum but cannot deliver it, so the initiator only gets
           it by ResendRequest after it logs on again.
An OrderCancelRequest for an order that is not resting gets an OrderCancelReject (35=9, 102=1).

stdin commands (one a line): `plan SYMBOL ACTION...`, `release`, `status`, `quit`.
stdout lines (one event a line, flushed):
  ready | planned SYMBOL QUEUED | logon | logout | cancel ORIGCLORDID | dropped CLORDID |
  order CLORDID SYMBOL QTY ACTION POSSDUP (ACTION `duplicate` for a replay already seen) | seq SENDER TARGET (QuickFIX's next outgoing and next expected MsgSeqNum) |
  error TEXT
"""

import datetime
import os
import queue
import sys
import threading

import quickfix as fix

OUT = threading.Lock()


def say(*words):
    with OUT:
        sys.stdout.write(" ".join(str(w) for w in words) + "\n")
        sys.stdout.flush()


def put(msg, tag, value):
    msg.setField(fix.StringField(tag, str(value)))


def get(msg, tag):
    return msg.getField(tag) if msg.isSetField(tag) else None


class Order:
    def __init__(self, msg):
        self.cl_ord_id = get(msg, 11)
        self.symbol = get(msg, 55)
        self.side = get(msg, 54)
        self.qty = int(get(msg, 38))
        self.px = get(msg, 44)
        self.tif = get(msg, 59) or "0"
        self.cum = 0
        self.open = True


class Broker(fix.Application):
    def __init__(self):
        super().__init__()
        self.sid = None
        self.plans = {}
        self.orders = {}
        self.held = []
        self.exec_ids = 0
        self.work = queue.Queue()
        self.lock = threading.Lock()

    # QuickFIX callbacks (its threads): hand application messages to the worker.
    def onCreate(self, sid):
        self.sid = sid

    def onLogon(self, sid):
        say("logon")

    def onLogout(self, sid):
        say("logout")

    def toAdmin(self, msg, sid):
        pass

    def fromAdmin(self, msg, sid):
        pass

    def toApp(self, msg, sid):
        pass

    def fromApp(self, msg, sid):
        self.work.put(("msg", fix.Message(msg)))

    # The worker: everything that sends runs here, outside QuickFIX's callbacks.
    def run(self):
        while True:
            kind, arg = self.work.get()
            try:
                if kind == "msg":
                    self.on_app(arg)
                elif kind == "release":
                    held, self.held = self.held, []
                    for o in held:
                        self.report(o, "0", "0")
                        self.trade(o, o.qty)
                elif kind == "status":
                    s = fix.Session.lookupSession(self.sid)
                    say("seq", s.getExpectedSenderNum(), s.getExpectedTargetNum())
            except Exception as e:  # noqa: BLE001 -- report, keep serving
                say("error", type(e).__name__, str(e).replace("\n", " "))

    def on_app(self, msg):
        mt = msg.getHeader().getField(35)
        poss_dup = msg.getHeader().isSetField(43) and msg.getHeader().getField(43) == "Y"
        if mt == "D":
            self.on_new(msg, poss_dup)
        elif mt == "F":
            self.on_cancel(msg)
        else:
            say("error", "unexpected MsgType", mt)

    def on_new(self, msg, poss_dup):
        o = Order(msg)
        if poss_dup and o.cl_ord_id in self.orders:
            say("order", o.cl_ord_id, o.symbol, o.qty, "duplicate", "Y")
            return
        plan = self.plans.get(o.symbol, [])
        action = plan.pop(0) if plan else "fill"
        self.orders[o.cl_ord_id] = o
        say("order", o.cl_ord_id, o.symbol, o.qty, action, "Y" if poss_dup else "N")
        if action == "fill":
            self.trade(o, o.qty)
        elif action == "partial":
            self.trade(o, max(o.qty // 2, 1))
            if o.open and o.tif == "3":
                self.cancel_rest(o, o.cl_ord_id, None)
        elif action == "reject":
            o.open = False
            self.report(o, "8", "8", extra={103: 0, 58: "scripted reject"})
        elif action == "rest":
            self.report(o, "0", "0")
        elif action == "hold":
            self.held.append(o)
        elif action == "drop":
            self.report(o, "0", "0")
            s = fix.Session.lookupSession(self.sid)
            s.disconnect()
            self.trade(o, o.qty)  # stored under its MsgSeqNum, not delivered
            say("dropped", o.cl_ord_id)
        else:
            say("error", "unknown action", action)

    def on_cancel(self, msg):
        orig, cl = get(msg, 41), get(msg, 11)
        say("cancel", orig)
        o = self.orders.get(orig)
        if o is not None and o.open:
            self.cancel_rest(o, cl, orig)
            return
        r = fix.Message()
        r.getHeader().setField(fix.MsgType("9"))
        put(r, 37, "O" + orig if o else "NONE")
        put(r, 11, cl)
        put(r, 41, orig)
        put(r, 39, "2" if o else "8")
        put(r, 434, "1")
        put(r, 102, "1")
        put(r, 58, "order not open")
        fix.Session.sendToTarget(r, self.sid)

    def trade(self, o, qty):
        o.cum += qty
        done = o.cum >= o.qty
        if done:
            o.open = False
        self.report(o, "F", "2" if done else "1", extra={31: o.px, 32: qty})

    def cancel_rest(self, o, cl_ord_id, orig):
        o.open = False
        extra = {41: orig} if orig else {}
        self.report(o, "4", "4", cl_ord_id=cl_ord_id, leaves=0, extra=extra)

    def report(self, o, exec_type, status, cl_ord_id=None, leaves=None, extra=None):
        self.exec_ids += 1
        r = fix.Message()
        r.getHeader().setField(fix.MsgType("8"))
        put(r, 37, "O" + o.cl_ord_id)
        put(r, 11, cl_ord_id or o.cl_ord_id)
        put(r, 17, "E%d" % self.exec_ids)
        put(r, 150, exec_type)
        put(r, 39, status)
        put(r, 55, o.symbol)
        put(r, 54, o.side)
        put(r, 38, o.qty)
        put(r, 44, o.px)
        if leaves is None:
            leaves = o.qty - o.cum if o.open else 0
        put(r, 151, leaves)
        put(r, 14, o.cum)
        put(r, 6, o.px if o.cum else "0")
        for tag, value in (extra or {}).items():
            put(r, tag, value)
        put(r, 60, datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%d-%H:%M:%S.%f")[:-3])
        fix.Session.sendToTarget(r, self.sid)


def settings_text(port, root):
    dd = os.path.join(sys.prefix, "share", "quickfix", "FIX44.xml")
    if not os.path.exists(dd):
        raise SystemExit("acceptor.py: %s: missing (the quickfix package ships it)" % dd)
    return "\n".join([
        "[DEFAULT]",
        "ConnectionType=acceptor",
        "SocketAcceptHost=127.0.0.1",
        "SocketAcceptPort=%d" % port,
        "SocketReuseAddress=Y",
        "FileStorePath=%s" % os.path.join(root, "store"),
        "FileLogPath=%s" % os.path.join(root, "log"),
        "StartTime=00:00:00",
        "EndTime=00:00:00",
        "UseDataDictionary=Y",
        "DataDictionary=%s" % dd,
        "ResetOnLogon=N",
        "ResetOnLogout=N",
        "ResetOnDisconnect=N",
        "HeartBtInt=30",
        "[SESSION]",
        "BeginString=FIX.4.4",
        "SenderCompID=BROKER",
        "TargetCompID=CLIENT",
        "",
    ])


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: acceptor.py PORT DIR")
    port, root = int(sys.argv[1]), sys.argv[2]
    path = os.path.join(root, "acceptor.cfg")
    with open(path, "w") as f:
        f.write(settings_text(port, root))
    broker = Broker()
    settings = fix.SessionSettings(path)
    acceptor = fix.ThreadedSocketAcceptor(
        broker, fix.FileStoreFactory(settings), settings, fix.FileLogFactory(settings)
    )
    threading.Thread(target=broker.run, daemon=True).start()
    acceptor.start()
    say("ready")
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "plan" and len(words) >= 3:
            broker.plans.setdefault(words[1], []).extend(words[2:])
            say("planned", words[1], len(broker.plans[words[1]]))
        elif words[0] == "release":
            broker.work.put(("release", None))
        elif words[0] == "status":
            broker.work.put(("status", None))
        elif words[0] == "quit":
            break
        else:
            say("error", "unknown command", line.strip())
    acceptor.stop(True)


if __name__ == "__main__":
    main()
