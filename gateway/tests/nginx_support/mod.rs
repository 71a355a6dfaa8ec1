//! Debian's nginx for the tests that put it in front of `jwt-gateway`: found if it has the
//! `auth_request` module, run in the foreground with `examples/nginx.conf` as shipped (its
//! placeholders filled) on a free loopback port, and stopped when dropped.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::TempDir;

/// Debian's nginx, if it is here with the auth_request module.
pub fn binary() -> Option<PathBuf> {
    let binary = ["/usr/sbin/nginx", "/usr/local/sbin/nginx"]
        .into_iter()
        .map(PathBuf::from)
        .find(|path| path.exists())?;
    let built = Command::new(&binary).arg("-V").output().ok()?;
    String::from_utf8_lossy(&built.stderr)
        .contains("http_auth_request_module")
        .then_some(binary)
}

/// nginx in the foreground, with its prefix directory.
pub struct Nginx {
    pub child: Child,
    pub dir: TempDir,
}

impl Drop for Nginx {
    /// SIGTERM, so the master stops its workers too (SIGKILL would leave them running,
    /// orphaned, on the port); SIGKILL if it has not exited within 5 s.
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `examples/nginx.conf` on a free port in front of `upstream_port`, its gateway upstream
/// made of `gateway_ports` (round-robin, nginx's defaults otherwise); the port.
pub fn start(binary: &Path, gateway_ports: &[u16], upstream_port: u16) -> (Nginx, u16) {
    let dir = TempDir::new("nginx");
    let port = free_port();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/nginx.conf");
    let mut conf = std::fs::read_to_string(example).unwrap();
    let one = "        server 127.0.0.1:${GATEWAY_PORT};\n";
    assert!(conf.contains(one), "the example names one gateway server");
    let servers: String = gateway_ports
        .iter()
        .map(|port| format!("        server 127.0.0.1:{port};\n"))
        .collect();
    conf = conf.replace(one, &servers);
    let gateways: Vec<String> = gateway_ports.iter().map(u16::to_string).collect();
    for (name, value) in [
        ("PREFIX", dir.path().display().to_string()),
        ("PORT", port.to_string()),
        ("UPSTREAM_PORT", upstream_port.to_string()),
        // Left in the example's comments only.
        ("GATEWAY_PORT", gateways.join(", ")),
    ] {
        conf = conf.replace(&format!("${{{name}}}"), &value);
    }
    assert!(!conf.contains("${"), "every placeholder filled");
    let conf_path = dir.write("nginx.conf", &conf);
    let child = Command::new(binary)
        .arg("-p")
        .arg(dir.path())
        .arg("-c")
        .arg(&conf_path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nginx starts");
    let nginx = Nginx { child, dir };
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        let log = std::fs::read_to_string(nginx.dir.path().join("error.log")).unwrap_or_default();
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "nginx did not listen:\n{log}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (nginx, port)
}
