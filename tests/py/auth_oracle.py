"""The oracle of tests/tests/auth_pydiff.rs: DKIM and ARC by dkimpy, SPF by pyspf, DMARC by
pydmarc (the `dmarc` package).

Reads a JSON list of cases on stdin and prints one JSON line per case, in order:

  in:  {"name": str, "message": base64, "now": unix seconds,
        "records": [{"name": str, "type": "A"|"AAAA"|"MX"|"TXT"|"PTR", "value": ...}],
        "ip": str|null, "helo": str|null, "mail_from": str|null}
       (TXT value: the record's text; MX value: [preference, exchange])
  out: {"dkim": [{"result": word, "reason": str, "domain": d= or null}, ...]
                                                         one per DKIM-Signature, top first
        "arc": {"result": word, "reason": str},
        "spf": {"result": word, "reason": str} | null,   null when the case has no ip
        "dmarc": {"result": word, "policy": disposition or what went wrong, "reason": str}}

DMARC by the `dmarc` package (pydmarc): its milter's evaluation, dmarc.milter.utils.check_dmarc
(record discovery with the organizational-domain fallback through publicsuffix2, alignment,
policy), fed dkimpy's and pyspf's results as Authentication-Results objects (authres) and the
From field's domains as the milter collects them.

No network: the libraries get their DNS answers from the case's records (dkimpy through the
`dnsfunc` parameter of DKIM.verify and arc_verify, pyspf by replacing spf.DNSLookup, the one
function its queries go through, pydmarc by replacing the dnspython resolver its
dmarc.asyncresolver.resolve asks); a name with no record of the type asked is NXDOMAIN/empty.
The clock dkimpy and pyspf read (time.time) is the case's `now`.

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

A DKIM "crash" is left out of what DMARC is given (it is no pass either way).
"""

import asyncio
import base64
import email
import email.utils
import json
import logging
import sys
import time

import dns.asyncresolver
import dns.resolver

# pydmarc makes dnspython's default resolvers when imported; unconfigured ones, with no
# servers, need no /etc/resolv.conf and can reach no server if anything bypassed the zone.
dns.resolver.default_resolver = dns.resolver.Resolver(configure=False)
dns.asyncresolver.default_resolver = dns.asyncresolver.Resolver(configure=False)

import dkim  # noqa: E402
import dmarc.asyncresolver  # noqa: E402
import dmarc.milter.utils as dmarc_milter  # noqa: E402
import dmarc.psl  # noqa: E402
import spf  # noqa: E402
from authres import DKIMAuthenticationResult, SPFAuthenticationResult  # noqa: E402


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


class DmarcResolver:
    """Stands in for the dnspython resolver of dmarc.asyncresolver: TXT answers from the zone,
    NXDOMAIN for a name without any."""

    class Rdata:
        def __init__(self, text):
            self.strings = (text.encode("utf-8"),)

    def __init__(self, zone):
        self.zone = zone

    async def resolve(self, name, rdtype):
        values = self.zone.get((name.lower().rstrip("."), rdtype), [])
        if not values:
            raise dns.resolver.NXDOMAIN()
        return [DmarcResolver.Rdata(v) for v in values]


def verify_dkim(message, idx, dnsfunc):
    log, seen = logger()
    d = dkim.DKIM(message, logger=log, minkey=1024)
    try:
        ok = d.verify(idx=idx, dnsfunc=dnsfunc)
        word, reason = ("pass", "") if ok else ("fail", "signature did not verify")
        if not ok and seen.errors:
            word, reason = "permerror", "; ".join(seen.errors)
    except dkim.DnsTimeoutError as e:
        word, reason = "temperror", str(e)
    except dkim.ValidationError as e:
        word = "fail" if "body hash mismatch" in str(e) else "permerror"
        reason = str(e)
    except dkim.DKIMException as e:
        word, reason = "permerror", "%s: %s" % (type(e).__name__, e)
    except Exception as e:  # a library error dkimpy lets through: no RFC 8601 word
        word, reason = "crash", "%s: %s" % (type(e).__name__, e)
    domain = getattr(d, "domain", None)
    return {
        "result": word,
        "reason": reason,
        "domain": domain.decode("utf-8") if isinstance(domain, bytes) else None,
    }


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


def check_dmarc(case, message, zone, dkim_results, spf_result):
    dmarc.asyncresolver.resolver = DmarcResolver(zone)
    # The author domain as pydmarc's milter collects it (on_end_of_message): one domain over
    # every address of every From field, else none.
    froms = email.message_from_bytes(message).get_all("from") or []
    domains = {dmarc_milter.split_address(a)[1].strip() for _, a in email.utils.getaddresses(froms)}
    domain = domains.pop() if len(domains) == 1 else None
    results = [
        DKIMAuthenticationResult(result=r["result"], header_d=r["domain"])
        for r in dkim_results
        if r["result"] != "crash" and r["domain"]
    ]
    if spf_result:
        mail_from = case["mail_from"] or None
        results.append(
            SPFAuthenticationResult(
                result=spf_result["result"],
                smtp_mailfrom=mail_from,
                smtp_helo=None if mail_from else case["helo"],
            )
        )
    # As the milter calls it: its Public Suffix List module, the strict record parser.
    ares = asyncio.run(
        dmarc_milter.check_dmarc(domain, results, case["ip"] or "", dmarc.psl, True)
    )
    return {"result": ares.result, "policy": ares.policy, "reason": ares.reason or ""}


def run(case):
    now = case["now"]
    time.time = lambda: float(now)
    message = base64.b64decode(case["message"])
    zone = zone_of(case)
    dnsfunc = dkim_dnsfunc(zone)
    signatures = [h for h in dkim.DKIM(message).headers if h[0].lower() == b"dkim-signature"]
    dkim_results = [verify_dkim(message, i, dnsfunc) for i in range(len(signatures))]
    spf_result = verify_spf(case, zone) if case["ip"] else None
    return {
        "dkim": dkim_results,
        "arc": verify_arc(message, dnsfunc),
        "spf": spf_result,
        "dmarc": check_dmarc(case, message, zone, dkim_results, spf_result),
    }


def main():
    for case in json.load(sys.stdin):
        print(json.dumps(run(case)), flush=False)


if __name__ == "__main__":
    main()
