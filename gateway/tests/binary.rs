//! The `jwt-gateway` command: `check` reports every error with its line; a bad
//! configuration never starts; SIGHUP during traffic puts a good new configuration in force
//! and keeps the old one when the new one is bad, without a failed request; SIGTERM lets
//! every request in flight finish; the logs (JSON lines here) never hold a token.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use serde_json::json;
use support::{BINARY, Process as Gateway, TempDir, client, local_provider, token, upstream};
use tokio::process::Command;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_reports_every_error_with_its_line_and_passes_a_good_file() {
    let dir = TempDir::new("check");
    let bad = dir.write(
        "bad.toml",
        "listen = \"nowhere\"\n\
         [[provider]]\n\
         issuer = \"https://idp.example\"\n\
         audiences = [\"urn:a\"]\n\
         algorithms = [\"RS257\"]\n\
         [[route]]\n\
         prefix = \"orders\"\n\
         colour = \"blue\"\n",
    );
    let output = std::process::Command::new(BINARY)
        .args(["check", "--config"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    let lines: Vec<&str> = stderr.lines().collect();
    let file = bad.display().to_string();
    let prefixes: Vec<String> = lines
        .iter()
        .map(|l| l.split(": ").next().unwrap().to_string())
        .collect();
    // An unknown key is reported at the key.
    assert_eq!(
        prefixes,
        [
            format!("{file}:1:10"),
            format!("{file}:5:15"),
            format!("{file}:8:1"),
        ],
        "{stderr}"
    );
    assert!(lines[2].contains("colour"), "{stderr}");

    // A good file, and the example of every key the README points to.
    let good = dir.write("good.toml", &local_provider(&dir));
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/gateway.toml");
    for file in [good, example] {
        let output = std::process::Command::new(BINARY)
            .args(["check", "--config"])
            .arg(&file)
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configuration_that_cannot_work_never_starts() {
    let dir = TempDir::new("never");
    let bad = dir.write(
        "bad.toml",
        "[[provider]]\nissuer = \"https://idp.example\"\n",
    );
    let output = Command::new(BINARY)
        .args(["--config"])
        .arg(&bad)
        .output()
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("audience"));
    // A provider that cannot be reached: nothing is served.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let output = Command::new(BINARY)
        .args([
            "--issuer",
            &format!("http://{closed}"),
            "--audience",
            "urn:a",
            "--listen",
            "127.0.0.1:0",
        ])
        .output()
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&closed.to_string()), "{stderr}");
    assert!(!stderr.contains("listening on"), "{stderr}");
}

/// Sends requests with `authorization` to `url` until `stop`, counting answers by status;
/// a request that gets no answer counts as status 0.
fn traffic(
    url: String,
    authorization: String,
    stop: Arc<AtomicBool>,
) -> tokio::task::JoinHandle<Vec<(u16, u64)>> {
    tokio::spawn(async move {
        let client = client();
        let mut counts: Vec<(u16, u64)> = Vec::new();
        while !stop.load(Ordering::SeqCst) {
            let status = match client
                .get(&url)
                .header("x-original-uri", "/orders")
                .header("authorization", &authorization)
                .send()
                .await
            {
                Ok(response) => response.status().as_u16(),
                Err(_) => 0,
            };
            match counts.iter_mut().find(|(s, _)| *s == status) {
                Some((_, n)) => *n += 1,
                None => counts.push((status, 1)),
            }
        }
        counts
    })
}

fn config_text(dir: &TempDir, scope: &str) -> String {
    format!(
        "listen = \"127.0.0.1:0\"\n[log]\nformat = \"json\"\n{}[[route]]\nprefix = \"/orders\"\nscopes = [\"{scope}\"]\n",
        local_provider(dir)
    )
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_reloads_a_good_configuration_and_keeps_the_old_one_for_a_bad_one() {
    let dir = TempDir::new("reload");
    let path = dir.write("gateway.toml", &config_text(&dir, "orders:read"));
    let mut gateway = Gateway::start(&["--config", path.to_str().unwrap()]).await;
    let reader = token(json!({"scope": "orders:read"}));
    let authorization = format!("Bearer {reader}");
    let auth = format!("{}/auth", gateway.base);
    let status = |authorization: &str| {
        let (auth, authorization) = (auth.clone(), authorization.to_owned());
        async move {
            client()
                .get(&auth)
                .header("x-original-uri", "/orders")
                .header("authorization", authorization)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(status(&authorization).await, 200);
    let stop = Arc::new(AtomicBool::new(false));
    let load = traffic(auth.clone(), authorization.clone(), Arc::clone(&stop));

    // A good new configuration: the route now needs another scope.
    write(&path, &config_text(&dir, "orders:write"));
    gateway.signal("HUP");
    gateway.wait_for("configuration reloaded").await;
    assert_eq!(status(&authorization).await, 403);

    // A bad one: refused with its line, the one in force kept.
    let good = config_text(&dir, "orders:read");
    let bad_line = good.lines().count() + 2;
    write(&path, &format!("{good}[[route]]\nprefix = 7\n"));
    gateway.signal("HUP");
    let refusal = gateway.wait_for("reload refused").await;
    assert!(
        refusal.contains(&format!("gateway.toml:{bad_line}:10")),
        "{refusal}"
    );
    assert_eq!(status(&authorization).await, 403);

    // One whose provider cannot be set up: refused too.
    write(
        &path,
        &config_text(&dir, "orders:read").replace("jwks.json", "missing.json"),
    );
    gateway.signal("HUP");
    gateway.wait_for("reload refused").await;
    assert_eq!(status(&authorization).await, 403);

    stop.store(true, Ordering::SeqCst);
    let counts = load.await.unwrap();
    assert!(
        counts
            .iter()
            .all(|(status, _)| *status == 200 || *status == 403),
        "every request during the reloads was answered: {counts:?}"
    );
    assert!(counts.iter().map(|(_, n)| n).sum::<u64>() > 0);

    // The logs are JSON lines, and hold no token.
    gateway.signal("TERM");
    let exit = gateway.child.wait().await.unwrap();
    assert!(exit.success());
    let log = gateway.log.lock().unwrap().clone();
    assert!(log.len() > 3);
    for line in &log {
        assert!(
            serde_json::from_str::<serde_json::Value>(line).is_ok(),
            "{line}"
        );
        assert!(!line.contains(&reader[..40]), "a token in the log: {line}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_every_request_in_flight_finish() {
    let dir = TempDir::new("drain");
    let upstream = upstream().await;
    let path = dir.write(
        "gateway.toml",
        &format!(
            "listen = \"127.0.0.1:0\"\nupstream = \"{}\"\n{}",
            upstream.url(),
            local_provider(&dir)
        ),
    );
    let mut gateway = Gateway::start(&["--config", path.to_str().unwrap()]).await;
    let authorization = format!("Bearer {}", token(json!({})));
    const IN_FLIGHT: u64 = 24;
    let answered = Arc::new(AtomicU64::new(0));
    let mut requests = Vec::new();
    for _ in 0..IN_FLIGHT {
        let (url, authorization, answered) = (
            format!("{}/slow", gateway.base),
            authorization.clone(),
            Arc::clone(&answered),
        );
        requests.push(tokio::spawn(async move {
            // One client each: a connection of its own.
            let response = client()
                .get(url)
                .header("authorization", authorization)
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let body = response.text().await.unwrap();
            answered.fetch_add(1, Ordering::SeqCst);
            (status, body)
        }));
    }
    // Every request is at the upstream, waiting, when the gateway is told to stop.
    while upstream.requests.load(Ordering::SeqCst) < IN_FLIGHT {
        tokio::task::yield_now().await;
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    gateway.signal("TERM");
    gateway.wait_for("draining").await;
    assert_eq!(answered.load(Ordering::SeqCst), 0);
    // New connections are no longer taken.
    assert!(
        client()
            .get(format!("{}/healthz", gateway.base))
            .send()
            .await
            .is_err()
    );
    upstream.release();
    for request in requests {
        assert_eq!(request.await.unwrap(), (200, "slow done".to_string()));
    }
    let exit = gateway.child.wait().await.unwrap();
    assert!(exit.success(), "{exit:?}");
}
