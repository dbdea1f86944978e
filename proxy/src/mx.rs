//! `mailscope mx DOMAIN`: the MX set of a domain with addresses.
//!
//! Exit status (as the offline commands): 0 the domain accepts mail, 1 the DNS answered that it
//! does not (NXDOMAIN, null MX, no address for an implicit MX), 2 the lookup could not be done
//! (resolver down, timeout, SERVFAIL).

use crate::cli::MxArgs;
use crate::dns::{Dns, DnsError, Failure};

/// Runs the lookup, prints it (text, or JSON with `--json`) and returns the exit code.
pub async fn run(args: MxArgs) -> u8 {
    let set = match Dns::new(args.dns) {
        Ok(dns) => dns.mx(&args.domain).await,
        Err(e) => Err(DnsError(
            format!("cannot set up the DNS resolver: {e}"),
            Failure::Lookup,
        )),
    };
    let set = match set {
        Ok(set) => set,
        Err(DnsError(message, failure)) => {
            let (code, kind) = match failure {
                Failure::Answer => (1, "answer"),
                Failure::Lookup => (2, "lookup"),
            };
            if args.json {
                let json = serde_json::json!({
                    "version": 1,
                    "domain": args.domain,
                    "exit_code": code,
                    "error": { "kind": kind, "message": message },
                });
                println!("{json}");
            } else if failure == Failure::Lookup {
                eprintln!("mailscope: {message}\n{}", crate::dns::CLI_RESOLVER_HINT);
            } else {
                eprintln!("mailscope: {message}");
            }
            return code;
        }
    };
    if args.json {
        let json = serde_json::json!({
            "version": 1,
            "domain": args.domain,
            "exit_code": 0,
            "implicit": set.implicit,
            "records": set.records,
        });
        println!("{json}");
        return 0;
    }
    if set.implicit {
        println!(
            "{} has no MX records; mail goes to the domain itself (implicit MX, RFC 5321 §5.1):",
            args.domain
        );
    }
    for r in &set.records {
        let addrs = if r.addresses.is_empty() {
            "(no address)".to_string()
        } else {
            r.addresses.join(" ")
        };
        println!("{:>5}  {}  {}", r.preference, r.exchange, addrs);
    }
    0
}
