//! The real binary as a child process, for tests that kill it, stop it or read its logs.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::TestDb;

pub struct ServerProcess {
    child: Child,
    pub port: u16,
    env: Vec<(String, String)>,
    pub stderr_path: PathBuf,
    pub stdout_path: PathBuf,
    restarts: u32,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl ServerProcess {
    /// Starts `mipstock serve` on `db` with extra `MIPSTOCK__…` settings, and waits until ready.
    pub async fn start(db: &TestDb, extra: &[(&str, String)]) -> ServerProcess {
        let port = free_port();
        let mut env: Vec<(String, String)> = vec![
            ("MIPSTOCK__DATABASE__URL".into(), db.url.clone()),
            ("MIPSTOCK__SERVER__BIND".into(), format!("127.0.0.1:{port}")),
            ("MIPSTOCK__SERVER__WORKERS".into(), "2".into()),
            (
                "MIPSTOCK__EMAIL__FILE_DIR".into(),
                db.scratch.path().join("outbox").display().to_string(),
            ),
        ];
        env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.clone())));
        let stdout_path = db.scratch.path().join("stdout-0.log");
        let stderr_path = db.scratch.path().join("stderr-0.log");
        let child = spawn(&env, &stdout_path, &stderr_path);
        let mut server = ServerProcess {
            child,
            port,
            env,
            stderr_path,
            stdout_path,
            restarts: 0,
        };
        server.wait_ready().await;
        server
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.port, path)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    async fn wait_ready(&mut self) {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("mipstock exited with {status}: {}", read(&self.stderr_path));
            }
            if let Ok(r) = client
                .get(self.url("/readyz"))
                .timeout(Duration::from_secs(2))
                .send()
                .await
            {
                if r.status().is_success() {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "mipstock not ready in 60 s: {}",
                read(&self.stderr_path)
            );
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The bootstrap token the first start printed.
    pub fn bootstrap_token(&self) -> String {
        let out = read(&self.stdout_path);
        let start = out.find("mst_").expect("bootstrap token on stdout");
        out[start..].split_whitespace().next().unwrap().to_owned()
    }

    /// SIGKILL: no chance to finish anything.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub async fn restart(&mut self) {
        self.restarts += 1;
        self.stdout_path = self.stdout_path.with_file_name(format!("stdout-{}.log", self.restarts));
        self.stderr_path = self.stderr_path.with_file_name(format!("stderr-{}.log", self.restarts));
        self.child = spawn(&self.env, &self.stdout_path, &self.stderr_path);
        self.wait_ready().await;
    }

    /// SIGTERM, then the exit status (waits up to 60 s).
    pub async fn terminate(&mut self) -> std::process::ExitStatus {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "mipstock did not stop on SIGTERM");
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Everything every run of the process wrote to stderr (its logs).
    pub fn all_logs(&self) -> String {
        (0..=self.restarts)
            .map(|n| read(&self.stderr_path.with_file_name(format!("stderr-{n}.log"))))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn(env: &[(String, String)], stdout: &PathBuf, stderr: &PathBuf) -> Child {
    Command::new(env!("CARGO_BIN_EXE_mipstock"))
        .arg("serve")
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdout(Stdio::from(std::fs::File::create(stdout).unwrap()))
        .stderr(Stdio::from(std::fs::File::create(stderr).unwrap()))
        .spawn()
        .unwrap()
}

fn read(path: &PathBuf) -> String {
    let mut text = String::new();
    if let Ok(mut file) = std::fs::File::open(path) {
        let _ = file.read_to_string(&mut text);
    }
    text
}
