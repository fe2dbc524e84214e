"""A real SMTP server for HyperLearn's integration tests (aiosmtpd, from Debian's
python3-aiosmtpd). Every accepted message is written to DIR as <n>.eml with a <n>.json
sidecar holding the envelope. Exits when its stdin closes, so it never outlives the test.

Faults, for the delivery tests, chosen by the recipient's local part:
  rcpt451-*   RCPT answered 451 (temporary)          rcpt452-*  RCPT answered 452 (temporary)
  reject550-* RCPT answered 550 (permanent)          drop-*     message stored, then the
                                                                connection is dropped before
                                                                the reply to DATA (ambiguous)
and for the whole server: --greet421 answers every connection with 421 and hangs up.

usage: smtp_sink.py --port PORT --dir DIR [--greet421]
"""
import argparse
import asyncio
import json
import os
import sys
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0]
        if local.startswith("rcpt451-"):
            return "451 4.3.0 Temporary local problem, try again later"
        if local.startswith("rcpt452-"):
            return "452 4.2.2 Mailbox full"
        if local.startswith("reject550-"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            n = self.count
        base = os.path.join(self.directory, f"{n:06d}")
        with open(base + ".tmp", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        with open(base + ".json", "w") as f:
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos}, f)
        os.rename(base + ".tmp", base + ".eml")
        if any(r.split("@")[0].startswith("drop-") for r in envelope.rcpt_tos):
            server.transport.abort()
        return "250 Message accepted"


async def greet_421(reader, writer):
    writer.write(b"421 4.3.2 Service not available, closing channel\r\n")
    await writer.drain()
    writer.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--greet421", action="store_true")
    args = parser.parse_args()
    if args.greet421:
        loop = asyncio.new_event_loop()
        server = loop.run_until_complete(
            asyncio.start_server(greet_421, "127.0.0.1", args.port)
        )
        threading.Thread(target=loop.run_forever, daemon=True).start()
        print("READY", flush=True)
        sys.stdin.read()
        loop.call_soon_threadsafe(server.close)
        return
    controller = Controller(Sink(args.dir), hostname="127.0.0.1", port=args.port)
    controller.start()
    print("READY", flush=True)
    sys.stdin.read()
    controller.stop()


if __name__ == "__main__":
    main()
