"""A real SMTP server for HyperLearn's integration tests (aiosmtpd, from Debian's
python3-aiosmtpd). Every accepted message is written to DIR as <n>.eml with a <n>.json
sidecar holding the envelope. Exits when its stdin closes, so it never outlives the test.

usage: smtp_sink.py --port PORT --dir DIR
"""
import argparse
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
        return "250 Message accepted"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    args = parser.parse_args()
    controller = Controller(Sink(args.dir), hostname="127.0.0.1", port=args.port)
    controller.start()
    print("READY", flush=True)
    sys.stdin.read()
    controller.stop()


if __name__ == "__main__":
    main()
