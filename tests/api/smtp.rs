//! A real SMTP server (mailin-embedded) inside the test process, on a TCP port of its own,
//! keeping every message it receives.

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use mailin_embedded::{response, Handler, Response, Server};

#[derive(Debug, Clone)]
pub struct Received {
    pub to: Vec<String>,
    pub subject: String,
    pub raw: String,
    pub at: Instant,
}

#[derive(Clone)]
struct Collector {
    inbox: Arc<Mutex<Vec<Received>>>,
    to: Vec<String>,
    data: Vec<u8>,
}

impl Handler for Collector {
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.to = to.to_vec();
        self.data.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let raw = String::from_utf8_lossy(&self.data).into_owned();
        let message = Received {
            to: self.to.clone(),
            subject: subject_of(&raw),
            raw,
            at: Instant::now(),
        };
        self.inbox.lock().unwrap().push(message);
        response::OK
    }
}

/// The Subject header, unfolded and decoded (RFC 2047 `=?utf-8?b?…?=` and `?q?` words).
fn subject_of(raw: &str) -> String {
    let mut value = String::new();
    let mut in_subject = false;
    for line in raw.split("\r\n") {
        if in_subject && (line.starts_with(' ') || line.starts_with('\t')) {
            value.push_str(line);
        } else if in_subject || line.is_empty() {
            break;
        } else if let Some(rest) = line.strip_prefix("Subject: ") {
            value.push_str(rest);
            in_subject = true;
        }
    }
    // Whitespace between two encoded words is folding, not text; around plain words it is text.
    let mut decoded = String::new();
    let mut previous_encoded = false;
    for (i, word) in value.split_whitespace().enumerate() {
        let lower = word.to_ascii_lowercase();
        let encoded = word.ends_with("?=") && (lower.starts_with("=?utf-8?b?") || lower.starts_with("=?utf-8?q?"));
        if i > 0 && !(encoded && previous_encoded) {
            decoded.push(' ');
        }
        if !encoded {
            decoded.push_str(word);
        } else if lower.starts_with("=?utf-8?b?") {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(&word[10..word.len() - 2])
                .unwrap_or_default();
            decoded.push_str(&String::from_utf8_lossy(&bytes));
        } else {
            decoded.push_str(&q_decode(&word[10..word.len() - 2]));
        }
        previous_encoded = encoded;
    }
    decoded
}

fn q_decode(text: &str) -> String {
    let mut bytes = Vec::new();
    let mut chars = text.bytes();
    while let Some(b) = chars.next() {
        match b {
            b'_' => bytes.push(b' '),
            b'=' => {
                let hex: Vec<u8> = chars.by_ref().take(2).collect();
                let parsed = std::str::from_utf8(&hex)
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                bytes.push(parsed.unwrap_or(b'?'));
            }
            other => bytes.push(other),
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

pub struct SmtpServer {
    pub port: u16,
    inbox: Arc<Mutex<Vec<Received>>>,
}

impl SmtpServer {
    pub fn start() -> SmtpServer {
        SmtpServer::start_on(TcpListener::bind("127.0.0.1:0").unwrap())
    }

    /// A port nothing listens on yet: the "mail server is down" case; start it later with
    /// `start_on_port`.
    pub fn free_port() -> u16 {
        TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
    }

    pub fn start_on_port(port: u16) -> SmtpServer {
        SmtpServer::start_on(TcpListener::bind(("127.0.0.1", port)).unwrap())
    }

    fn start_on(listener: TcpListener) -> SmtpServer {
        let port = listener.local_addr().unwrap().port();
        let inbox = Arc::new(Mutex::new(Vec::new()));
        let collector = Collector {
            inbox: inbox.clone(),
            to: Vec::new(),
            data: Vec::new(),
        };
        // The server's error type is not Send: build and run it inside its thread.
        std::thread::spawn(move || {
            let mut server = Server::new(collector);
            server
                .with_name("test.smtp")
                .with_num_threads(2)
                .with_tcp_listener(listener);
            let _ = server.serve();
        });
        SmtpServer { port, inbox }
    }

    pub fn messages(&self) -> Vec<Received> {
        self.inbox.lock().unwrap().clone()
    }

    /// Waits until at least `count` messages arrived (or 20 s passed); returns them all.
    pub async fn wait_for(&self, count: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let messages = self.messages();
            if messages.len() >= count || Instant::now() > deadline {
                return messages;
            }
            actix_web::rt::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

/// Settings that send alert emails to `port` over plain SMTP, scanning every second.
pub fn smtp_settings(port: u16) -> impl FnOnce(&mut mipstock::config::Settings) {
    move |settings| {
        settings.email.transport = mipstock::config::EmailTransport::Smtp;
        settings.email.smtp.host = "127.0.0.1".into();
        settings.email.smtp.port = port;
        settings.email.smtp.timeout_seconds = 5;
        settings.email.recipients = vec!["pharmacy@hospital.example".into()];
        settings.email.from = "mipstock <mipstock@hospital.example>".into();
        settings.alerts.scan_interval_seconds = 1;
    }
}
