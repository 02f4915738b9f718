//! The user's shell: `$SHELL`, else the login shell of the user's passwd entry, else `/bin/sh`.

use std::ffi::CStr;
use std::path::Path;

const FALLBACK_SHELL: &str = "/bin/sh";

/// The path of the shell that runs the user's and the model's scripts. A daemon spawned without
/// `$SHELL` (a service, a CI runner) still runs the shell the user logs in with.
pub fn user_shell_path() -> String {
    std::env::var("SHELL")
        .ok()
        .filter(|shell| !shell.is_empty())
        .or_else(passwd_shell)
        .unwrap_or_else(|| FALLBACK_SHELL.to_string())
}

/// The file name of [`user_shell_path`] (`bash`, `zsh`), as the model's environment context names it.
pub fn user_shell_name() -> String {
    let path = user_shell_path();
    Path::new(&path)
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or(path)
}

/// The login shell of the passwd entry of the user this process runs as.
fn passwd_shell() -> Option<String> {
    let mut entry: libc::passwd = unsafe { std::mem::zeroed() };
    let mut found: *mut libc::passwd = std::ptr::null_mut();
    let mut buffer = vec![0 as libc::c_char; 16 * 1024];
    // SAFETY: every pointer refers to live storage of the stated size; `getpwuid_r` writes the entry's
    // strings into `buffer`, which outlives the reads below.
    let status = unsafe {
        libc::getpwuid_r(
            libc::getuid(),
            &mut entry,
            buffer.as_mut_ptr(),
            buffer.len(),
            &mut found,
        )
    };
    if status != 0 || found.is_null() || entry.pw_shell.is_null() {
        return None;
    }
    // SAFETY: `pw_shell` is a NUL-terminated string inside `buffer`.
    let shell = unsafe { CStr::from_ptr(entry.pw_shell) }
        .to_string_lossy()
        .into_owned();
    (!shell.is_empty()).then_some(shell)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_passwd_entry_names_an_absolute_shell() {
        let shell = passwd_shell().expect("this user has a passwd entry");
        assert!(shell.starts_with('/'), "{shell}");
    }
}
