//! NSD (Debian `nsd`), an authoritative DNS server, serving one test zone on a free loopback
//! port from its own config directory: no chroot, no user switch, no remote control, nothing in
//! /etc read. Stopped on drop. `cargo xtask test` installs the package.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;

use crate::daemon::Daemon;
use crate::free_port;

/// A running NSD.
pub struct Nsd {
    /// Where it answers, over UDP and TCP.
    pub addr: SocketAddr,
    _daemon: Daemon,
}

impl Nsd {
    /// Serves `origin` (such as `example.test`) with `records` (master-file lines, names
    /// relative to the origin; an SOA and NS are added) from `dir`, and waits until it runs.
    pub fn start(dir: &Path, origin: &str, records: &str) -> Nsd {
        assert!(
            Path::new("/usr/sbin/nsd").exists(),
            "NSD is not installed: run `cargo xtask test`, which installs it (apt-get install nsd)"
        );
        std::fs::create_dir_all(dir).expect("create the NSD directory");
        let port = free_port();
        let d = dir.display();
        let zone = format!(
            "$ORIGIN {origin}.\n$TTL 300\n\
             @ SOA ns.{origin}. hostmaster.{origin}. 1 3600 600 86400 300\n\
             @ NS ns.{origin}.\n\
             ns A 127.0.0.1\n\
             {records}\n"
        );
        std::fs::write(dir.join("zone"), zone).expect("write the zone");
        let conf = format!(
            "server:
  ip-address: 127.0.0.1@{port}
  port: {port}
  username: \"\"
  chroot: \"\"
  zonesdir: \"{d}\"
  pidfile: \"{d}/nsd.pid\"
  database: \"\"
  xfrdfile: \"{d}/xfrd.state\"
  zonelistfile: \"{d}/zone.list\"
  logfile: \"{d}/nsd.log\"
  server-count: 1
  verbosity: 1
remote-control:
  control-enable: no
zone:
  name: {origin}
  zonefile: zone
"
        );
        let conf_path = dir.join("nsd.conf");
        std::fs::write(&conf_path, conf).expect("write nsd.conf");
        let log = dir.join("nsd.log");
        let mut daemon = Daemon::spawn(
            Command::new("nsd").arg("-d").arg("-c").arg(&conf_path),
            &log,
            "Install NSD (apt-get install nsd; cargo xtask test does)",
        );
        // NSD reads the zone, then logs that it started (its log file is its console's).
        daemon.wait_until("NSD with the test zone", || {
            std::fs::read_to_string(&log)
                .is_ok_and(|l| l.contains("read with success") && l.contains("nsd started"))
        });
        Nsd {
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            _daemon: daemon,
        }
    }
}
