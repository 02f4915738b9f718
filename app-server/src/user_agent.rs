//! The user agent reported by `initialize` and its `clientInfo.name` check:
//! `<name>/<version> (<os> <os version>; <arch>) <terminal> (<name>; <client version>)`.

use codex_app_server_protocol::ClientInfo;

/// Whether `value` could be sent as an HTTP header value: visible ASCII, space and tab only.
pub fn is_valid_header_value(value: &str) -> bool {
    value
        .bytes()
        .all(|byte| byte == b'\t' || (0x20..0x7f).contains(&byte))
}

pub fn user_agent(client: &ClientInfo) -> String {
    let name = &client.name;
    let client_version = &client.version;
    let version = env!("CARGO_PKG_VERSION");
    let arch = std::env::consts::ARCH;

    let os_release = std::fs::read_to_string("/etc/os-release").unwrap_or_default();
    let os_release_field = |key: &str| {
        os_release.lines().find_map(|line| {
            line.strip_prefix(key)
                .and_then(|rest| rest.strip_prefix('='))
                .map(|value| value.trim_matches('"').to_string())
        })
    };
    let os_name = os_release_field("NAME")
        .map(|name| name.trim_end_matches(" GNU/Linux").to_string())
        .unwrap_or_else(|| std::env::consts::OS.to_string());
    let os_version = os_release_field("VERSION_ID").unwrap_or_else(|| "unknown".to_string());

    // As upstream: `TERM_PROGRAM[/version]`, else `TERM`, else "unknown".
    let non_empty_var = |key: &str| {
        std::env::var(key)
            .ok()
            .filter(|value| !value.trim().is_empty())
    };
    let terminal = match (
        non_empty_var("TERM_PROGRAM"),
        non_empty_var("TERM_PROGRAM_VERSION"),
    ) {
        (Some(program), Some(program_version)) => format!("{program}/{program_version}"),
        (Some(program), None) => program,
        (None, _) => non_empty_var("TERM").unwrap_or_else(|| "unknown".to_string()),
    };

    format!(
        "{name}/{version} ({os_name} {os_version}; {arch}) {terminal} ({name}; {client_version})"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn header_values_reject_control_and_non_ascii_characters() {
        assert_eq!(
            [
                "codex_vscode",
                "My Client\t1",
                "bad\nname",
                "naïve",
                "\u{7f}"
            ]
            .map(is_valid_header_value),
            [true, true, false, false, false]
        );
    }

    #[test]
    fn user_agent_names_the_client_twice_and_its_version() {
        let agent = user_agent(&ClientInfo {
            name: "codex_vscode".to_string(),
            title: None,
            version: "0.1.0".to_string(),
        });
        let version = env!("CARGO_PKG_VERSION");
        assert!(
            agent.starts_with(&format!("codex_vscode/{version} (")),
            "{agent}"
        );
        assert!(agent.ends_with(" (codex_vscode; 0.1.0)"), "{agent}");
    }
}
