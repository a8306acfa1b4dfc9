//! Debian's nginx in front of test servers: the proxy test of the web crate (one server) and
//! the two-server test of the command line (`crates/cli/tests/two_servers.rs`) share it.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Debian's nginx, started on a free loopback port with its own configuration, pid and logs
/// in a temporary folder, in front of the servers given; stopped on drop.
pub struct Nginx {
    binary: PathBuf,
    port: u16,
    folder: tempfile::TempDir,
}

/// The nginx binary; None (the test is skipped) only outside CI: under CI, or with
/// PASSERELLE_REQUIRE_NGINX=1, its absence fails the test, as PostgreSQL's does.
pub fn nginx_binary() -> Option<PathBuf> {
    let found = std::env::var_os("PASSERELLE_NGINX")
        .map(PathBuf::from)
        .into_iter()
        .chain(["/usr/sbin/nginx", "/usr/bin/nginx"].map(PathBuf::from))
        .find(|path| path.is_file());
    let required = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
        || std::env::var("PASSERELLE_REQUIRE_NGINX").as_deref() == Ok("1");
    if found.is_none() && required {
        panic!(
            "nginx is missing but required (CI or PASSERELLE_REQUIRE_NGINX=1): apt-get install nginx-light"
        );
    }
    found
}

impl Nginx {
    /// In front of `upstreams`, taken in turn (nginx's round robin); each answer names the
    /// server that gave it in `X-Passerelle-Upstream`.
    pub fn start(binary: &Path, upstreams: &[std::net::SocketAddr]) -> Self {
        let folder = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = folder.path().display();
        let servers: String = upstreams
            .iter()
            .map(|address| format!("server {address}; "))
            .collect();
        let config = format!(
            r#"daemon on;
master_process off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log {dir}/access.log;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    upstream passerelle {{ {servers}}}
    server {{
        listen 127.0.0.1:{port};
        location = /nginx-pret {{ return 204; }}
        location / {{
            proxy_pass http://passerelle;
            add_header X-Passerelle-Upstream $upstream_addr always;
            proxy_set_header Host $http_host;
            proxy_set_header X-Real-IP $remote_addr;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        }}
    }}
}}
"#
        );
        std::fs::write(folder.path().join("nginx.conf"), config).unwrap();
        let nginx = Self {
            binary: binary.to_path_buf(),
            port,
            folder,
        };
        // As a daemon, nginx returns once it listens (it forks after opening its sockets):
        // nothing to wait for.
        let started = nginx.command().status().expect("nginx starts");
        if !started.success() {
            let log = std::fs::read_to_string(nginx.folder.path().join("error.log"));
            panic!("nginx did not start ({started}): {log:?}");
        }
        nginx.answers_itself();
        nginx
    }

    /// nginx with this folder and configuration.
    fn command(&self) -> Command {
        let mut command = Command::new(&self.binary);
        command
            .arg("-p")
            .arg(self.folder.path())
            .arg("-e")
            .arg(self.folder.path().join("error.log"))
            .arg("-c")
            .arg(self.folder.path().join("nginx.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        command
    }

    /// One request nginx answers without the upstream: once answered, its pid file is written
    /// (before it serves), so it can be stopped.
    fn answers_itself(&self) {
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", self.port))
            .expect("nginx listens as soon as it has started");
        stream
            .write_all(b"GET /nginx-pret HTTP/1.0\r\nHost: localhost\r\n\r\n")
            .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 204"), "{answer}");
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for Nginx {
    /// Signals the nginx of this folder's pid file to stop.
    fn drop(&mut self) {
        let _ = self.command().args(["-s", "stop"]).status();
    }
}
