//! Recognising a shell call that runs `apply_patch`. Models trained on Codex often send a patch through the
//! shell tool — `["apply_patch", "<patch>"]`, or a script `apply_patch <<'EOF' ... EOF`, possibly after
//! `cd <dir> &&` — and no `apply_patch` program exists on the machine, so such calls are applied as patches.

use crate::tools::exec::ExecCommand;

/// The program names that mean "apply this patch".
const PATCH_PROGRAMS: [&str; 2] = ["apply_patch", "applypatch"];
/// Shells whose `-c` / `-lc` script is looked into.
const SHELLS: [&str; 4] = ["bash", "sh", "zsh", "dash"];

/// A patch found in a shell call, and the directory the script `cd`s into first, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchInvocation {
    pub patch: String,
    pub workdir: Option<String>,
}

/// The patch a shell command applies, if the command is an `apply_patch` invocation.
pub fn patch_invocation(command: &ExecCommand) -> Option<PatchInvocation> {
    let script = match command {
        ExecCommand::ShellScript { script, .. } => script.as_str(),
        ExecCommand::Argv(argv) => match argv.as_slice() {
            [program, patch] if PATCH_PROGRAMS.contains(&program.as_str()) => {
                return Some(PatchInvocation {
                    patch: patch.clone(),
                    workdir: None,
                });
            }
            [shell, flag, script]
                if SHELLS.contains(&shell.rsplit('/').next().unwrap_or(shell))
                    && matches!(flag.as_str(), "-c" | "-lc") =>
            {
                script.as_str()
            }
            _ => return None,
        },
    };
    let script = script.trim();
    let (workdir, script) = match script.strip_prefix("cd ") {
        Some(rest) => {
            let (dir, rest) = rest.split_once("&&")?;
            let dir = shlex::split(dir.trim())?;
            match dir.as_slice() {
                [dir] => (Some(dir.clone()), rest.trim_start()),
                _ => return None,
            }
        }
        None => (None, script),
    };
    let program = PATCH_PROGRAMS
        .iter()
        .find(|program| script.starts_with(*program))?;
    let (first_line, body) = script[program.len()..].split_once('\n')?;
    let delimiter = first_line.trim().strip_prefix("<<")?.trim();
    let delimiter = delimiter
        .strip_prefix('\'')
        .and_then(|quoted| quoted.strip_suffix('\''))
        .or_else(|| {
            delimiter
                .strip_prefix('"')
                .and_then(|quoted| quoted.strip_suffix('"'))
        })
        .unwrap_or(delimiter);
    if delimiter.is_empty() || delimiter.contains(char::is_whitespace) {
        return None;
    }
    let mut patch_lines = Vec::new();
    let mut lines = body.lines();
    for line in lines.by_ref() {
        if line.trim_end() == delimiter {
            // Nothing may follow the heredoc, or the script does more than apply the patch.
            return lines
                .all(|rest| rest.trim().is_empty())
                .then(|| PatchInvocation {
                    patch: patch_lines.join("\n"),
                    workdir,
                });
        }
        patch_lines.push(line);
    }
    None
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    const PATCH: &str = "*** Begin Patch\n*** Add File: a.txt\n+hi\n*** End Patch";

    fn script(script: &str) -> ExecCommand {
        ExecCommand::ShellScript {
            script: script.to_string(),
            login: true,
        }
    }

    fn found(patch: &str, workdir: Option<&str>) -> Option<PatchInvocation> {
        Some(PatchInvocation {
            patch: patch.to_string(),
            workdir: workdir.map(str::to_string),
        })
    }

    #[test]
    fn argv_forms_are_recognised() {
        assert_eq!(
            patch_invocation(&ExecCommand::Argv(vec![
                "apply_patch".to_string(),
                PATCH.to_string()
            ])),
            found(PATCH, None)
        );
        assert_eq!(
            patch_invocation(&ExecCommand::Argv(vec![
                "/bin/bash".to_string(),
                "-lc".to_string(),
                format!("apply_patch <<'EOF'\n{PATCH}\nEOF\n"),
            ])),
            found(PATCH, None)
        );
    }

    #[test]
    fn heredoc_scripts_with_any_quoting_and_a_leading_cd() {
        assert_eq!(
            patch_invocation(&script(&format!("apply_patch <<EOF\n{PATCH}\nEOF"))),
            found(PATCH, None)
        );
        assert_eq!(
            patch_invocation(&script(&format!(
                "cd 'my dir' && applypatch <<\"PATCH\"\n{PATCH}\nPATCH\n"
            ))),
            found(PATCH, Some("my dir"))
        );
    }

    #[test]
    fn other_commands_are_not_patches() {
        assert_eq!(patch_invocation(&script("ls -la")), None);
        assert_eq!(
            patch_invocation(&script(&format!(
                "apply_patch <<'EOF'\n{PATCH}\nEOF\nrm -rf build"
            ))),
            None
        );
        assert_eq!(
            patch_invocation(&script(&format!("apply_patch <<'EOF'\n{PATCH}\n"))),
            None
        );
        assert_eq!(
            patch_invocation(&ExecCommand::Argv(vec!["apply_patch".to_string()])),
            None
        );
        assert_eq!(
            patch_invocation(&script("cd a b && apply_patch <<EOF\nx\nEOF")),
            None
        );
    }
}
