//! Redis for the fleet tests: `redis-server` (Debian's `redis-server` package) started on
//! free loopback ports in a temporary directory, alone or as a 3-master cluster, and
//! stopped when dropped.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Whether `redis-server` and `redis-cli` are installed; prints `SKIPPED:` when not.
pub fn redis_ready(test: &str) -> bool {
    let found = |name: &str| {
        Command::new(name)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    let ready = found("redis-server") && found("redis-cli");
    if !ready {
        println!("SKIPPED: {test}: redis-server not installed (apt-get install redis-server)");
    }
    ready
}

/// A free loopback port (free when asked; the server binds it right after).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Sends one inline command to `port`; the first line of the answer.
pub fn command(port: u16, line: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_millis(500)))
        .ok()?;
    stream.write_all(format!("{line}\r\n").as_bytes()).ok()?;
    let mut answer = Vec::new();
    let mut chunk = [0u8; 4096];
    // A bulk answer may come in several reads; CLUSTER INFO fits in a few KiB.
    let deadline = Instant::now() + Duration::from_millis(500);
    while Instant::now() < deadline {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => answer.extend_from_slice(&chunk[..n]),
        }
        if answer.ends_with(b"\r\n") && (answer[0] != b'$' || answer.len() > 4) {
            let text = String::from_utf8_lossy(&answer);
            // A bulk string is whole when its announced length has arrived.
            if let Some(rest) = text.strip_prefix('$') {
                let (len, body) = rest.split_once("\r\n").unwrap_or(("0", ""));
                if body.len() < len.parse::<usize>().unwrap_or(0) + 2 {
                    continue;
                }
            }
            break;
        }
    }
    Some(String::from_utf8_lossy(&answer).into_owned())
}

/// One `redis-server` process.
pub struct RedisServer {
    pub port: u16,
    dir: PathBuf,
    args: Vec<String>,
    child: Option<Child>,
}

impl RedisServer {
    /// A server on a free port, its data (append-only file) in `dir`, so that what it
    /// held is there again after [`restart`](Self::restart).
    pub fn start(dir: &Path) -> RedisServer {
        Self::start_with(dir, &[])
    }

    fn start_with(dir: &Path, extra: &[String]) -> RedisServer {
        std::fs::create_dir_all(dir).unwrap();
        let port = free_port();
        let mut args: Vec<String> = [
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--dir",
            dir.to_str().unwrap(),
            "--save",
            "",
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
            "--daemonize",
            "no",
            "--logfile",
            "redis.log",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.extend_from_slice(extra);
        let mut server = RedisServer {
            port,
            dir: dir.to_path_buf(),
            args,
            child: None,
        };
        server.spawn();
        server
    }

    fn spawn(&mut self) {
        let child = Command::new("redis-server")
            .args(&self.args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        self.child = Some(child);
        for _ in 0..200 {
            if command(self.port, "PING").is_some_and(|a| a.starts_with("+PONG")) {
                return;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        panic!(
            "redis-server on port {} did not start: {}",
            self.port,
            std::fs::read_to_string(self.dir.join("redis.log")).unwrap_or_default()
        );
    }

    /// `redis://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Stops the server (SIGTERM: it writes what it holds and exits).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if child.try_wait().ok().flatten().is_some() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port with the same data.
    pub fn restart(&mut self) {
        self.stop();
        self.spawn();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A Redis Cluster of three masters (no replicas) on free loopback ports.
pub struct RedisCluster {
    pub nodes: Vec<RedisServer>,
}

impl RedisCluster {
    pub fn start(dir: &Path) -> RedisCluster {
        let nodes: Vec<RedisServer> = (0..3)
            .map(|i| {
                let bus = free_port().to_string();
                let extra: Vec<String> = [
                    "--cluster-enabled",
                    "yes",
                    "--cluster-config-file",
                    "nodes.conf",
                    "--cluster-port",
                    &bus,
                    "--cluster-node-timeout",
                    "2000",
                ]
                .iter()
                .map(|s| s.to_string())
                .collect();
                RedisServer::start_with(&dir.join(format!("node{i}")), &extra)
            })
            .collect();
        let addresses: Vec<String> = nodes
            .iter()
            .map(|n| format!("127.0.0.1:{}", n.port))
            .collect();
        let created = Command::new("redis-cli")
            .arg("--cluster")
            .arg("create")
            .args(&addresses)
            .args(["--cluster-replicas", "0", "--cluster-yes"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(created.success(), "redis-cli --cluster create failed");
        for _ in 0..200 {
            let ok = nodes.iter().all(|n| {
                command(n.port, "CLUSTER INFO").is_some_and(|a| a.contains("cluster_state:ok"))
            });
            if ok {
                return RedisCluster { nodes };
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the cluster did not come up");
    }

    /// Its nodes' URLs (the client's seeds).
    pub fn urls(&self) -> Vec<String> {
        self.nodes.iter().map(RedisServer::url).collect()
    }
}

/// Keys held by the server on `port`.
pub fn key_count(port: u16) -> u64 {
    let answer = command(port, "DBSIZE").unwrap();
    answer
        .trim()
        .trim_start_matches(':')
        .parse()
        .unwrap_or_else(|_| panic!("DBSIZE answered {answer:?}"))
}
