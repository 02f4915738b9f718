//! `is_known_safe_command`: whether a command only reads, so approval policy `untrusted` may run it without
//! asking (upstream Codex's allow-list of the same name).

use crate::tools::command_actions::simple_commands;
use crate::tools::exec::ExecCommand;

/// `find` primaries that run programs, delete files or write files.
const FIND_UNSAFE_PRIMARIES: &[&str] = &[
    "-exec", "-execdir", "-ok", "-okdir", "-delete", "-fls", "-fprint", "-fprint0", "-fprintf",
];

/// Flags that make `git log` / `show` / `diff` write a file or run a configured program.
const GIT_UNSAFE_FLAGS: &[&str] = &[
    "--output",
    "--ext-diff",
    "--textconv",
    "--exec",
    "--paginate",
];

/// `git branch` flags that only list branches; any other flag (or a branch name without `--list`) changes
/// the branches.
const GIT_BRANCH_LIST_FLAGS: &[&str] = &[
    "-a",
    "--all",
    "-r",
    "--remotes",
    "-v",
    "-vv",
    "--verbose",
    "--show-current",
    "--color",
    "--no-color",
    "--column",
    "--no-column",
    "-i",
    "--ignore-case",
    "--omit-empty",
    "--abbrev",
    "--no-abbrev",
];

/// `git branch` filters whose value may be the next word.
const GIT_BRANCH_FILTER_FLAGS: &[&str] = &[
    "--contains",
    "--no-contains",
    "--merged",
    "--no-merged",
    "--points-at",
    "--sort",
    "--format",
];

/// True only when every simple command of `command` is known to be read-only and free of side effects.
/// A script must join them with `&&`, `||`, `;` or `|` only, without expansions, redirections other than
/// `2>&1` / `>/dev/null`, subshells, background jobs or variable assignments.
pub fn is_known_safe_command(command: &ExecCommand) -> bool {
    let Some(commands) = simple_commands(command) else {
        return false;
    };
    !commands.is_empty()
        && commands.iter().all(|simple| {
            let Some((program, args)) = simple.words.split_first() else {
                return false;
            };
            if simple.expands {
                return false;
            }
            // A short flag cluster (`-iz`) holds each of its letters.
            let has_short_flag = |letter: char| {
                args.iter().any(|arg| {
                    arg.strip_prefix('-').is_some_and(|cluster| {
                        !cluster.starts_with('-') && cluster.contains(letter)
                    })
                })
            };
            let has_long_flag = |flag: &str| {
                args.iter().any(|arg| {
                    arg.strip_prefix(flag)
                        .is_some_and(|rest| rest.is_empty() || rest.starts_with('='))
                })
            };
            match program.as_str() {
                "ls" | "cat" | "pwd" | "echo" | "head" | "tail" | "wc" | "nl" | "true"
                | "false" | "which" | "whoami" | "uname" | "id" | "stat" | "grep" | "cd" => true,
                // `file -C` compiles a magic file into the current directory.
                "file" => !simple.globs && !has_short_flag('C') && !has_long_flag("--compile"),
                // `tree -o` writes its output to a file, `-R` writes one into every directory.
                "tree" => {
                    !simple.globs
                        && !has_short_flag('o')
                        && !has_short_flag('R')
                        && !has_long_flag("--output")
                }
                // These run programs: a preprocessor, a hostname helper, decompressors.
                "rg" => {
                    !simple.globs
                        && !has_short_flag('z')
                        && !has_long_flag("--pre")
                        && !has_long_flag("--hostname-bin")
                        && !has_long_flag("--search-zip")
                }
                "find" => {
                    !simple.globs
                        && !args
                            .iter()
                            .any(|arg| FIND_UNSAFE_PRIMARIES.contains(&arg.as_str()))
                }
                "sed" => {
                    !simple.globs
                        && match args {
                            [quiet, range] | [quiet, range, _] => {
                                quiet == "-n"
                                    && range.strip_suffix('p').is_some_and(|lines| {
                                        lines.splitn(2, ',').all(|bound| {
                                            bound == "$"
                                                || (!bound.is_empty()
                                                    && bound.chars().all(|c| c.is_ascii_digit()))
                                        })
                                    })
                                    && args.get(2).is_none_or(|path| !path.starts_with('-'))
                            }
                            _ => false,
                        }
                }
                // Global options (`-c`, `-C`, `--git-dir`, ...) are refused: `-c` can name a program to run.
                "git" => {
                    !simple.globs
                        && match args.split_first() {
                            Some((subcommand, sub_args)) => match subcommand.as_str() {
                                "status" | "log" | "diff" | "show" => {
                                    !GIT_UNSAFE_FLAGS.iter().any(|flag| has_long_flag(flag))
                                }
                                "branch" => {
                                    let mut rest = sub_args.iter();
                                    let mut listing = false;
                                    let mut names = false;
                                    let mut read_only = true;
                                    while let Some(arg) = rest.next() {
                                        let name = arg
                                            .split_once('=')
                                            .map_or(arg.as_str(), |(name, _)| name);
                                        match name {
                                            "-l" | "--list" => listing = true,
                                            _ if GIT_BRANCH_LIST_FLAGS.contains(&name) => {}
                                            _ if GIT_BRANCH_FILTER_FLAGS.contains(&name) => {
                                                if !arg.contains('=') {
                                                    rest.next();
                                                }
                                            }
                                            _ if arg.starts_with('-') => read_only = false,
                                            _ => names = true,
                                        }
                                    }
                                    read_only && (listing || !names)
                                }
                                _ => false,
                            },
                            None => false,
                        }
                }
                _ => false,
            }
        })
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    fn script(script: &str) -> ExecCommand {
        ExecCommand::ShellScript {
            script: script.to_string(),
            login: true,
        }
    }

    fn argv(argv: &[&str]) -> ExecCommand {
        ExecCommand::Argv(argv.iter().map(|arg| arg.to_string()).collect())
    }

    #[test]
    fn known_safe_commands() {
        let cases = [
            // Safe, argv form.
            (argv(&["ls", "-la"]), true),
            (argv(&["cat", "README.md"]), true),
            (argv(&["pwd"]), true),
            (argv(&["head", "-n", "50", "src/main.rs"]), true),
            (argv(&["rg", "-n", "foo", "src"]), true),
            (argv(&["grep", "-rn", "TODO", "."]), true),
            (argv(&["find", ".", "-name", "*.rs", "-type", "f"]), true),
            (argv(&["sed", "-n", "1,200p", "core/src/lib.rs"]), true),
            (argv(&["git", "status"]), true),
            (argv(&["git", "log", "--oneline", "-n", "5"]), true),
            (argv(&["git", "branch", "--show-current"]), true),
            (argv(&["cat", "$(which x)"]), true),
            (argv(&["bash", "-lc", "ls && pwd"]), true),
            (argv(&["zsh", "-lc", "rg foo | head -n 20"]), true),
            // Safe, script form.
            (script("ls"), true),
            (
                script("cd core && rg -n ExecCommand src | head -n 20"),
                true,
            ),
            (script("cat Cargo.toml; wc -l src/*.rs"), true),
            (script("git diff --stat HEAD~1 || git show HEAD"), true),
            (script("rg foo src 2>/dev/null | tail -n 5"), true),
            (script("grep -rn x . 2>&1 >/dev/null"), true),
            (script("echo 'a > b; $(not run)'"), true),
            (script("sed -n '10,$p' notes.txt"), true),
            (script("sed -n 5p"), true),
            (script("git branch -a -v"), true),
            (script("git branch --list 'feat/*'"), true),
            (script("tree -L 2 core"), true),
            (
                script("which cargo && whoami && uname -a && id && true || false"),
                true,
            ),
            (script("stat Cargo.toml; file README.md; nl -ba x.rs"), true),
            (script("ls # what is here? then ; rm -rf /"), true),
            // Unsafe, argv form.
            (argv(&["rm", "-rf", "x"]), false),
            (argv(&["find", ".", "-delete"]), false),
            (
                argv(&["find", ".", "-name", "*.rs", "-exec", "cat", "{}", ";"]),
                false,
            ),
            (argv(&["find", ".", "-fprint", "out"]), false),
            (argv(&["rg", "--pre", "x", "foo"]), false),
            (argv(&["rg", "--pre=x", "foo"]), false),
            (argv(&["rg", "-iz", "foo"]), false),
            (argv(&["rg", "--search-zip", "foo"]), false),
            (argv(&["rg", "--hostname-bin", "x", "foo"]), false),
            (argv(&["git", "-c", "core.pager=x", "log"]), false),
            (argv(&["git", "branch", "-D", "main"]), false),
            (argv(&["git", "branch", "new-feature"]), false),
            (argv(&["git", "diff", "--output=patch.diff"]), false),
            (argv(&["git", "push"]), false),
            (argv(&["sed", "-i", "s/a/b/", "f"]), false),
            (argv(&["bash", "-lc", "ls && rm -rf x"]), false),
            (argv(&["bash", "-x", "-c", "ls"]), false),
            (argv(&[]), false),
            // Unsafe, script form.
            (script("find . -delete"), false),
            (script("rg --pre x foo"), false),
            (script("echo hi > f"), false),
            (script("echo hi >> f"), false),
            (script("ls && rm -rf x"), false),
            (script("ls; rm -rf x"), false),
            (script("ls | xargs rm"), false),
            (script("git -c core.pager=x log"), false),
            (script("git branch -m old new"), false),
            (script("git diff --output patch.diff"), false),
            (script("sed -i s/a/b/ f"), false),
            (script("sed -n 1p -i"), false),
            (script("sed -n s/a/b/p f"), false),
            (script("cat $(which x)"), false),
            (script("cat `which x`"), false),
            (script("echo \"$HOME\""), false),
            (script("ls $DIR"), false),
            (script("FOO=bar ls"), false),
            (script("(ls)"), false),
            (script("sleep 1 &"), false),
            (script("cat < f"), false),
            (script("find * -name x"), false),
            (script("rg {--pre=sh,foo}"), false),
            (script("tree -o out.txt"), false),
            (script("file -C -m magic"), false),
            (script("ls 'unterminated"), false),
            (script(""), false),
            (script("ls &&"), false),
            // Hostile scripts.
            (script("ls; rm -rf /"), false),
            (script("ls\nrm -rf /"), false),
            (script("ls # c\nrm -rf /"), false),
            (script("cat $(rm -rf /)"), false),
            (script("echo \"`rm -rf /`\""), false),
            (script("cat ${HOME}/.ssh/id_rsa"), false),
            (script("ls ${x:-$(rm -rf /)}"), false),
            (script("diff <(ls) <(rm -rf x)"), false),
            (script("ls > ~/.bashrc"), false),
            (script("ls 2>&1 >out.txt"), false),
            (script("ls 0>&1"), false),
            (script("rg foo 2>/dev/null src"), true),
            (script("ls >/dev/null && rm -rf x 2>/dev/null"), false),
            (script("rg foo >/dev/null --pre=x"), false),
            (script("cat <<< x"), false),
            (script("rg \"a$\" x"), false),
            (script("echo \\$HOME"), false),
            (script("cat été.txt && rg 'ünï' 日本"), true),
            (script("ls\u{a0}-a"), false),
        ];
        let wrong: Vec<String> = cases
            .iter()
            .filter(|(command, safe)| is_known_safe_command(command) != *safe)
            .map(|(command, safe)| format!("{command:?} should be safe={safe}"))
            .collect();
        assert_eq!(wrong, Vec::<String>::new());
    }
}
