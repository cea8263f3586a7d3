//! Starts the release gateway as its own process (so its memory can be read) and reads its log:
//! the port it listens on and the mailed captcha codes, as a newcomer would.
use std::collections::HashMap;
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::{Notify, oneshot};

pub type Error = Box<dyn std::error::Error + Send + Sync>;

pub struct Gateway {
    /// The process started here; `None` when attached to a running stack.
    child: Option<Child>,
    pub port: u16,
    codes: Arc<Mutex<HashMap<String, String>>>,
    mailed: Arc<Notify>,
    /// Where codes are mailed when attached (the SMTP sink's maildir), instead of the log.
    maildir: Option<std::path::PathBuf>,
    _data: Option<tempfile::TempDir>,
}

impl Gateway {
    pub async fn start(binary: &Path, env: &[(&str, String)]) -> Result<Self, Error> {
        let data = tempfile::tempdir()?;
        let mut command = Command::new(binary);
        command
            .env("CHAT_PORT", "0")
            .env("CHAT_DATA_DIR", data.path())
            .env("CHAT_BCRYPT_COST", "4")
            .env("CHAT_RATE_LIMITS", "off")
            // The idle scenario holds 25 sockets per user.
            .env("CHAT_WS_MAX_SOCKETS_PER_USER", "100")
            .env("CHAT_LOG", "warn,mail=info,gateway::startup=info")
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .kill_on_drop(true);
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command.spawn()?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let codes = Arc::new(Mutex::new(HashMap::new()));
        let mailed = Arc::new(Notify::new());
        let (port_tx, port_rx) = oneshot::channel();
        tokio::spawn(read_log(stdout, codes.clone(), mailed.clone(), port_tx));
        let port = tokio::time::timeout(Duration::from_secs(60), port_rx).await??;
        Ok(Self {
            child: Some(child),
            port,
            codes,
            mailed,
            maildir: None,
            _data: Some(data),
        })
    }

    /// A running deployment (the two-gateway stack behind nginx on `port`) whose mail goes to
    /// an SMTP sink writing `maildir`.
    pub fn attach(port: u16, maildir: std::path::PathBuf) -> Self {
        Self {
            child: None,
            port,
            codes: Arc::default(),
            mailed: Arc::default(),
            maildir: Some(maildir),
            _data: None,
        }
    }

    pub fn attached(&self) -> bool {
        self.child.is_none()
    }

    /// Resident memory of the gateway process, KiB.
    pub fn rss_kib(&self) -> Result<u64, Error> {
        let pid = self
            .child
            .as_ref()
            .and_then(Child::id)
            .ok_or("no gateway process of ours")?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
        let line = status
            .lines()
            .find(|l| l.starts_with("VmRSS:"))
            .ok_or("no VmRSS")?;
        let kib = line.split_whitespace().nth(1).ok_or("bad VmRSS")?;
        Ok(kib.parse()?)
    }

    /// The code mailed (logged) to `address`.
    pub async fn code_for(&self, address: &str) -> Result<String, Error> {
        if let Some(maildir) = &self.maildir {
            return code_in_maildir(maildir, address).await;
        }
        let wait = async {
            loop {
                let notified = self.mailed.notified();
                if let Some(code) = self.codes.lock().map_err(|_| "poisoned")?.get(address) {
                    return Ok::<_, Error>(code.clone());
                }
                notified.await;
            }
        };
        tokio::time::timeout(Duration::from_secs(10), wait).await?
    }
}

async fn read_log(
    stdout: tokio::process::ChildStdout,
    codes: Arc<Mutex<HashMap<String, String>>>,
    mailed: Arc<Notify>,
    port: oneshot::Sender<u16>,
) {
    let mut port = Some(port);
    let mut lines = BufReader::new(stdout).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if let Some(rest) = line.split("listening on http://").nth(1) {
            let found = rest
                .rsplit(':')
                .next()
                .and_then(|p| p.trim().parse::<u16>().ok());
            if let (Some(found), Some(tx)) = (found, port.take()) {
                let _ = tx.send(found);
            }
        }
        if let Some(rest) = line.split("mail to=").nth(1) {
            let address = rest
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_owned();
            let body = rest.split("body=").nth(1).unwrap_or_default();
            let code = body
                .split(|c: char| !c.is_ascii_digit())
                .find(|run| run.len() == 6);
            if let (Ok(mut codes), Some(code)) = (codes.lock(), code) {
                codes.insert(address, code.to_owned());
                mailed.notify_waiters();
            }
        }
    }
}

/// The code of the mail to `address` in the sink's maildir, once it has arrived.
async fn code_in_maildir(maildir: &Path, address: &str) -> Result<String, Error> {
    let needle = format!("To: {address}");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        for entry in std::fs::read_dir(maildir.join("new"))?.flatten() {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            if !text.contains(&needle) {
                continue;
            }
            let body = text.split("\n\n").skip(1).collect::<Vec<_>>().join("\n");
            if let Some(code) = body
                .split(|c: char| !c.is_ascii_digit())
                .find(|run| run.len() == 6)
            {
                return Ok(code.to_owned());
            }
        }
        if tokio::time::Instant::now() > deadline {
            return Err(format!("no mail to {address} in {}", maildir.display()).into());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
