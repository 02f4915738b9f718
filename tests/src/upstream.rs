//! Upstream `codex` releases for interop tests: installed from the npm registry once into a cache shared by
//! every test process (under a file lock), with their generated app-server JSON Schema beside them.
//!
//! The cache is `$CODEX_UPSTREAM_CACHE`, or `~/.cache/codex-app-server-tests/upstream`; each version lives in
//! `<cache>/<version>/` (`node_modules/` as npm lays it out, `schema/` as `codex app-server
//! generate-json-schema` writes it). A missing `npm` or a failed install is an error naming what to do.

use std::fs::File;
use std::os::fd::AsRawFd;
use std::path::Path;
use std::path::PathBuf;
use std::process::Command;

use anyhow::Context;
use anyhow::bail;

/// The upstream generation whose clients (IDE extensions, SDKs) we were first written against.
pub const UPSTREAM_0_105: &str = "0.105.0";
/// Today's upstream generation.
pub const UPSTREAM_0_171: &str = "0.171.0";
/// Every upstream generation our wire must satisfy.
pub const UPSTREAM_VERSIONS: [&str; 2] = [UPSTREAM_0_105, UPSTREAM_0_171];

/// Where the installed releases live.
pub fn upstream_cache_root() -> anyhow::Result<PathBuf> {
    if let Some(root) = std::env::var_os("CODEX_UPSTREAM_CACHE") {
        return Ok(PathBuf::from(root));
    }
    let home = std::env::var_os("HOME").context("neither CODEX_UPSTREAM_CACHE nor HOME is set")?;
    Ok(PathBuf::from(home).join(".cache/codex-app-server-tests/upstream"))
}

/// The native `codex` binary of `version`, installing the release first when the cache lacks it.
pub fn upstream_codex(version: &str) -> anyhow::Result<PathBuf> {
    let dir = installed_release(version)?;
    find_native_binary(&dir.join("node_modules/@openai"))?.with_context(|| {
        format!(
            "@openai/codex@{version} is installed in {} but has no native codex binary for this platform",
            dir.display()
        )
    })
}

/// The directory holding `version`'s generated app-server JSON Schema (`ServerNotification.json`,
/// `v2/*.json`, the bundles), generating it first when the cache lacks it.
pub fn upstream_json_schema(version: &str) -> anyhow::Result<PathBuf> {
    generated_schema(version, false)
}

/// As [`upstream_json_schema`], with upstream's experimental methods and fields too
/// (`generate-json-schema --experimental`).
pub fn upstream_experimental_json_schema(version: &str) -> anyhow::Result<PathBuf> {
    generated_schema(version, true)
}

fn generated_schema(version: &str, experimental: bool) -> anyhow::Result<PathBuf> {
    let dir = installed_release(version)?;
    let name = if experimental {
        "schema-experimental"
    } else {
        "schema"
    };
    let schema = dir.join(name);
    if schema.join(".complete").exists() {
        return Ok(schema);
    }
    let _lock = CacheLock::acquire(&dir)?;
    if schema.join(".complete").exists() {
        return Ok(schema);
    }
    let codex = upstream_codex(version)?;
    let partial = dir.join(format!("{name}.partial"));
    let codex_home = dir.join("codex-home");
    std::fs::create_dir_all(&codex_home)?;
    let _ = std::fs::remove_dir_all(&partial);
    let mut command = Command::new(&codex);
    command.args(["app-server", "generate-json-schema"]);
    if experimental {
        command.arg("--experimental");
    }
    let status = command
        .arg("--out")
        .arg(&partial)
        .env("CODEX_HOME", &codex_home)
        .status()
        .with_context(|| format!("running {}", codex.display()))?;
    if !status.success() {
        bail!(
            "{} app-server generate-json-schema failed: {status}",
            codex.display()
        );
    }
    std::fs::write(partial.join(".complete"), version)?;
    let _ = std::fs::remove_dir_all(&schema);
    std::fs::rename(&partial, &schema)?;
    Ok(schema)
}

/// `<cache>/<version>` with `@openai/codex@<version>` installed in it.
fn installed_release(version: &str) -> anyhow::Result<PathBuf> {
    let dir = upstream_cache_root()?.join(version);
    let marker = dir.join(".installed");
    if marker.exists() {
        return Ok(dir);
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let _lock = CacheLock::acquire(&dir)?;
    if marker.exists() {
        return Ok(dir);
    }
    let output = Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--no-save", "--prefix"])
        .arg(&dir)
        .arg(format!("@openai/codex@{version}"))
        .output()
        .context("running npm (the upstream interop tests install @openai/codex from the npm registry: install Node.js and npm)")?;
    if !output.status.success() {
        bail!(
            "npm install @openai/codex@{version} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    std::fs::write(&marker, version)?;
    Ok(dir)
}

/// The first regular file named `codex` under a `vendor/` directory below `root` (npm's per-platform
/// package ships the native binary there; its path differs between releases).
fn find_native_binary(root: &Path) -> anyhow::Result<Option<PathBuf>> {
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let entry = entry?;
            let path = entry.path();
            let kind = entry.file_type()?;
            if kind.is_dir() {
                pending.push(path);
            } else if kind.is_file()
                && entry.file_name() == "codex"
                && path.components().any(|part| part.as_os_str() == "vendor")
            {
                return Ok(Some(path));
            }
        }
    }
    Ok(None)
}

/// An exclusive `flock` on `<dir>/.lock`, released on drop (so parallel test processes install once).
struct CacheLock(File);

impl CacheLock {
    fn acquire(dir: &Path) -> anyhow::Result<Self> {
        let file = File::create(dir.join(".lock"))?;
        // SAFETY: flock on a descriptor this function owns; blocking until the other holder drops it.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } != 0 {
            return Err(std::io::Error::last_os_error()).context("locking the upstream cache");
        }
        Ok(Self(file))
    }
}

impl Drop for CacheLock {
    fn drop(&mut self) {
        // SAFETY: unlocking the descriptor this lock owns.
        unsafe { libc::flock(self.0.as_raw_fd(), libc::LOCK_UN) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_releases_install_and_export_their_schema() -> anyhow::Result<()> {
        for version in UPSTREAM_VERSIONS {
            let codex = upstream_codex(version)?;
            let out = Command::new(&codex).arg("--version").output()?;
            assert_eq!(
                String::from_utf8_lossy(&out.stdout).trim(),
                format!("codex-cli {version}")
            );
            let schema = upstream_json_schema(version)?;
            assert!(schema.join("ServerNotification.json").is_file());
        }
        Ok(())
    }
}
