"""The oracle of tests/tests/auth_pydiff.rs: DKIM and ARC by dkimpy, SPF by pyspf.

Reads a JSON list of cases on stdin and prints one JSON line per case, in order:

  in:  {"name": str, "message": base64, "now": unix seconds,
        "records": [{"name": str, "type": "A"|"AAAA"|"MX"|"TXT"|"PTR", "value": ...}],
        "ip": str|null, "helo": str|null, "mail_from": str|null}
       (TXT value: the record's text; MX value: [preference, exchange])
  out: {"dkim": [{"result": word, "reason": str}, ...]   one per DKIM-Signature, top first
        "arc": {"result": word, "reason": str},
        "spf": {"result": word, "reason": str} | null}  null when the case has no ip

No network: both libraries get their DNS answers from the case's records (dkimpy through the
`dnsfunc` parameter of DKIM.verify and arc_verify, pyspf by replacing spf.DNSLookup, the one
function its queries go through); a name with no record of the type asked is NXDOMAIN/empty.
The clock both read (time.time) is the case's `now`.

Result words are RFC 8601's. pyspf's are already; dkimpy's DKIM.verify says True/False or
raises, mapped here as RFC 6376 §6.1 says:
  True                                        pass
  ValidationError "body hash mismatch"        fail       (§6.1.3, RFC 8601 §2.7.1)
  False, no key problem logged                fail       (signature did not verify)
  False, key problem logged (missing, revoked
    or unparsable key record: KeyFormatError) permerror  (§6.1.2 PERMFAIL)
  DnsTimeoutError                             temperror
  any other DKIMException (bad tags, t= in
    the future, x= past, key too small, ...)  permerror  (§6.1.1 PERMFAIL)
  any other exception (dkimpy lets an error of
    a library it calls through)               "crash"    (no RFC 8601 word: never agrees)
ARC (arc_verify's cv): pass → pass, none → none, fail or a terminated chain → fail.

There is no DMARC here: neither library evaluates DMARC.
"""

import base64
import json
import logging
import sys
import time

import dkim
import spf


class Collect(logging.Handler):
    """Keeps the error messages dkimpy logs (its only word on key problems)."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.errors = []

    def emit(self, record):
        self.errors.append(record.getMessage())


def logger():
    handler = Collect()
    log = logging.Logger("dkimpy")
    log.addHandler(handler)
    return log, handler


def zone_of(case):
    """(name, type) -> list of values, names lowercase without the trailing dot."""
    zone = {}
    for r in case["records"]:
        key = (r["name"].lower().rstrip("."), r["type"])
        zone.setdefault(key, []).append(r["value"])
    return zone


def dkim_dnsfunc(zone):
    def txt(name, timeout=5):
        if isinstance(name, bytes):
            name = name.decode("ascii")
        values = zone.get((name.lower().rstrip("."), "TXT"), [])
        # As dkimpy's own get_txt: the first TXT record of the answer.
        return values[0].encode("utf-8") if values else None

    return txt


def spf_lookup(zone):
    """A replacement for spf.DNSLookup(name, qtype, strict, timeout) answering from zone,
    in the shapes spf.DNSLookup_dnspython returns."""

    def lookup(name, qtype, strict=True, timeout=30):
        values = zone.get((name.lower().rstrip("."), qtype), [])
        out = []
        for v in values:
            if qtype == "TXT":
                data = (v.encode("utf-8"),)
            elif qtype == "MX":
                data = (v[0], v[1])
            else:
                data = v
            out.append(((name, qtype), data))
        return out

    return lookup


def verify_dkim(message, idx, dnsfunc):
    log, seen = logger()
    d = dkim.DKIM(message, logger=log, minkey=1024)
    try:
        ok = d.verify(idx=idx, dnsfunc=dnsfunc)
    except dkim.DnsTimeoutError as e:
        return {"result": "temperror", "reason": str(e)}
    except dkim.ValidationError as e:
        word = "fail" if "body hash mismatch" in str(e) else "permerror"
        return {"result": word, "reason": str(e)}
    except dkim.DKIMException as e:
        return {"result": "permerror", "reason": "%s: %s" % (type(e).__name__, e)}
    except Exception as e:  # a library error dkimpy lets through: no RFC 8601 word
        return {"result": "crash", "reason": "%s: %s" % (type(e).__name__, e)}
    if ok:
        return {"result": "pass", "reason": ""}
    if seen.errors:
        return {"result": "permerror", "reason": "; ".join(seen.errors)}
    return {"result": "fail", "reason": "signature did not verify"}


def verify_arc(message, dnsfunc):
    log, _ = logger()
    cv, _, reason = dkim.arc_verify(message, logger=log, dnsfunc=dnsfunc, minkey=1024)
    word = {dkim.CV_Pass: "pass", dkim.CV_None: "none"}.get(cv, "fail")
    return {"result": word, "reason": reason}


def verify_spf(case, zone):
    spf.DNSLookup = spf_lookup(zone)
    result, _, explanation = spf.query(
        i=case["ip"],
        s=case["mail_from"] or "",
        h=case["helo"] or "",
        receiver="mx.mailscope.test",
    ).check()
    return {"result": result, "reason": explanation}


def run(case):
    now = case["now"]
    time.time = lambda: float(now)
    message = base64.b64decode(case["message"])
    zone = zone_of(case)
    dnsfunc = dkim_dnsfunc(zone)
    signatures = [h for h in dkim.DKIM(message).headers if h[0].lower() == b"dkim-signature"]
    return {
        "dkim": [verify_dkim(message, i, dnsfunc) for i in range(len(signatures))],
        "arc": verify_arc(message, dnsfunc),
        "spf": verify_spf(case, zone) if case["ip"] else None,
    }


def main():
    for case in json.load(sys.stdin):
        print(json.dumps(run(case)), flush=False)


if __name__ == "__main__":
    main()
