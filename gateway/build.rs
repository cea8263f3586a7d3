//! Builds the web client (`web/`) into `web/dist` when it is missing or older than its sources
//! and npm is present, so `cargo run` serves a working client on a fresh machine. Without npm the
//! gateway still builds and serves the API only, and says so.
#![allow(clippy::print_stdout)] // cargo reads build-script directives from stdout

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

const SOURCES: [&str; 5] = [
    "src",
    "index.html",
    "package.json",
    "package-lock.json",
    "vite.config.ts",
];

fn main() {
    let web = Path::new(env!("CARGO_MANIFEST_DIR")).join("../web");
    // Only paths that exist: cargo counts a missing one as changed and would rebuild every time.
    for path in SOURCES.iter().chain(["dist/index.html"].iter()) {
        if web.join(path).exists() {
            println!("cargo:rerun-if-changed=../web/{path}");
        }
    }
    println!("cargo:rerun-if-env-changed=CHAT_SKIP_WEB_BUILD");
    if std::env::var_os("CHAT_SKIP_WEB_BUILD").is_some() || !web.join("package.json").exists() {
        return;
    }
    let built = modified(&web.join("dist/index.html"));
    let newest_source = SOURCES.iter().filter_map(|s| newest(&web.join(s))).max();
    if built.is_some() && built >= newest_source {
        return;
    }
    if Command::new("npm").arg("--version").output().is_err() {
        println!(
            "cargo:warning=npm was not found, so the web client was not built: the gateway serves \
             the API only. Install Node.js and npm, then build again to get the client at /."
        );
        return;
    }
    let lock = modified(&web.join("package-lock.json"));
    let installed = modified(&web.join("node_modules/.package-lock.json"));
    if (installed.is_none() || installed < lock)
        && let Err(problem) = npm(&web, &["ci", "--no-audit", "--no-fund", "--prefer-offline"])
    {
        println!("cargo:warning=npm ci in web/ failed ({problem}): serving the API only.");
        return;
    }
    if let Err(problem) = npm(&web, &["run", "build"]) {
        println!("cargo:warning=building the web client failed ({problem}): serving the API only.");
    }
}

fn npm(dir: &Path, args: &[&str]) -> Result<(), String> {
    let output = Command::new("npm")
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|err| err.to_string())?;
    if output.status.success() {
        Ok(())
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        Err(stderr.lines().last().unwrap_or("unknown error").to_owned())
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The newest modification time of a file, or of any file under a directory.
fn newest(path: &Path) -> Option<SystemTime> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_dir() {
        return meta.modified().ok();
    }
    let entries = std::fs::read_dir(path).ok()?;
    entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter_map(|child: PathBuf| newest(&child))
        .max()
}
