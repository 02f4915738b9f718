//! The environment block the model sees at the start of a thread: where it works and with which shell.

use std::path::Path;

/// Renders `<environment_context>` for the session prefix.
pub fn render_environment_context(cwd: &Path, shell: &str) -> String {
    format!(
        "<environment_context>\n  <cwd>{}</cwd>\n  <shell>{shell}</shell>\n</environment_context>",
        cwd.display()
    )
}

/// The user's login shell name (`bash`, `zsh`, ...), from `$SHELL`.
pub fn user_shell_name() -> String {
    std::env::var("SHELL")
        .ok()
        .and_then(|s| {
            Path::new(&s)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "bash".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn renders_cwd_and_shell() {
        assert_eq!(
            render_environment_context(Path::new("/repo"), "zsh"),
            "<environment_context>\n  <cwd>/repo</cwd>\n  <shell>zsh</shell>\n</environment_context>"
        );
    }
}
