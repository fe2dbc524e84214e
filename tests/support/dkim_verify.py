"""Verifies the DKIM signature of the message on stdin with python3-dkim (Debian's
python3-dkim: an implementation independent of the signer under test), answering its DNS
query with the TXT record given as the first argument. Exits 0 when the signature verifies,
1 otherwise, with the verifier's log on stderr."""
import logging
import sys

import dkim

record = sys.argv[1].encode()


def dns(name, timeout=5):
    # Only the selector's key is asked for; anything else is a test failure.
    assert b"._domainkey." in name, name
    return record


logging.basicConfig(stream=sys.stderr, level=logging.DEBUG)
ok = dkim.verify(sys.stdin.buffer.read(), logger=logging.getLogger("dkim"), dnsfunc=dns)
sys.exit(0 if ok else 1)
