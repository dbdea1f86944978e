//! `mailscope mx DOMAIN`: the MX set of a domain with addresses.

use crate::cli::MxArgs;
use crate::dns::Dns;

/// Runs the lookup and prints it (text, or JSON with `--json`).
pub async fn run(args: MxArgs) -> anyhow::Result<()> {
    let dns = Dns::new(args.dns).map_err(anyhow::Error::msg)?;
    let set = dns.mx(&args.domain).await.map_err(anyhow::Error::msg)?;
    if args.json {
        let json = serde_json::json!({
            "version": 1,
            "domain": args.domain,
            "implicit": set.implicit,
            "records": set.records,
        });
        println!("{json}");
        return Ok(());
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
    Ok(())
}
