//! What a shell command does, as the UI shows it: `command_text` (the command as written) and
//! `parse_command_actions` (the reads, listings and searches it performs), plus `simple_commands`, which
//! `safe_commands` shares.

use std::path::Path;

use crate::protocol::turn_item::CommandAction;
use crate::tools::exec::ExecCommand;
use crate::tools::shell_script::Connector;
use crate::tools::shell_script::SimpleCommand;
use crate::tools::shell_script::split_script;

/// What an `ExecCommand` starts: a program with its argv, or a script for a shell.
enum Invocation<'a> {
    Program(&'a [String]),
    Script(&'a str),
}

fn invocation(command: &ExecCommand) -> Invocation<'_> {
    match command {
        ExecCommand::ShellScript { script, login: _ } => Invocation::Script(script),
        ExecCommand::Argv(argv) => {
            let is_shell = |program: &str| {
                matches!(
                    Path::new(program)
                        .file_name()
                        .and_then(|name| name.to_str()),
                    Some("bash" | "sh" | "zsh" | "dash" | "ksh")
                )
            };
            match argv.as_slice() {
                [shell, flag, script]
                    if is_shell(shell) && matches!(flag.as_str(), "-c" | "-lc" | "-cl") =>
                {
                    Invocation::Script(script)
                }
                [shell, login, flag, script]
                    if is_shell(shell) && login == "-l" && flag == "-c" =>
                {
                    Invocation::Script(script)
                }
                _ => Invocation::Program(argv),
            }
        }
    }
}

/// The script a command runs: a `ShellScript`'s, or the one an argv hands a shell (`bash -lc <script>`).
pub(crate) fn script_of(command: &ExecCommand) -> Option<&str> {
    match invocation(command) {
        Invocation::Script(script) => Some(script),
        Invocation::Program(_) => None,
    }
}

/// The command as shown to the user: a script (also one passed as `bash -lc <script>`) is its text, any
/// other argv is joined with shell quoting.
pub fn command_text(command: &ExecCommand) -> String {
    match invocation(command) {
        Invocation::Script(script) => script.to_string(),
        // `try_join` refuses only NUL bytes, which no argv can carry to `execve` anyway.
        Invocation::Program(argv) => {
            shlex::try_join(argv.iter().map(String::as_str)).unwrap_or_else(|_| argv.join(" "))
        }
    }
}

/// Splits a command into its simple commands; `None` when it is a script `split_script` does not
/// understand. A command run without a shell is one simple command.
pub(crate) fn simple_commands(command: &ExecCommand) -> Option<Vec<SimpleCommand>> {
    match invocation(command) {
        Invocation::Script(script) => split_script(script),
        Invocation::Program(argv) => Some(vec![SimpleCommand {
            text: command_text(command),
            words: argv.to_vec(),
            after: None,
            expands: false,
            globs: false,
        }]),
    }
}

/// The operands and flag values of a command's arguments.
struct Arguments<'a> {
    /// Arguments that are not flags nor flag values, in order.
    operands: Vec<&'a str>,
    /// Every flag as written up to `=` (`-n`, `--regexp`); a short cluster `-in` counts as `-i` and `-n`.
    flags: Vec<String>,
    /// The values given to flags of `value_flags`, as (flag, value).
    values: Vec<(String, &'a str)>,
}

/// Sorts `args` into operands, flags and flag values; `value_flags` are the flags that take a value
/// (`-n 20`, `-n20`, `--lines 20`, `--lines=20`), so their values are not mistaken for operands.
fn parse_arguments<'a>(args: &'a [String], value_flags: &[&str]) -> Arguments<'a> {
    let mut parsed = Arguments {
        operands: Vec::new(),
        flags: Vec::new(),
        values: Vec::new(),
    };
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        if arg == "--" {
            parsed.operands.extend(rest.map(String::as_str));
            break;
        }
        if let Some(long) = arg.strip_prefix("--") {
            match long.split_once('=') {
                Some((name, value)) => {
                    let flag = format!("--{name}");
                    parsed.values.push((flag.clone(), value));
                    parsed.flags.push(flag);
                }
                None => {
                    if value_flags.contains(&arg.as_str())
                        && let Some(value) = rest.next()
                    {
                        parsed.values.push((arg.clone(), value));
                    }
                    parsed.flags.push(arg.clone());
                }
            }
        } else if let Some(cluster) = arg.strip_prefix('-').filter(|cluster| !cluster.is_empty()) {
            for (offset, c) in cluster.char_indices() {
                let flag = format!("-{c}");
                if value_flags.contains(&flag.as_str()) {
                    let attached = &cluster[offset + c.len_utf8()..];
                    let value = if attached.is_empty() {
                        rest.next().map(String::as_str)
                    } else {
                        Some(attached)
                    };
                    if let Some(value) = value {
                        parsed.values.push((flag.clone(), value));
                    }
                    parsed.flags.push(flag);
                    break;
                }
                parsed.flags.push(flag);
            }
        } else {
            parsed.operands.push(arg);
        }
    }
    parsed
}

/// Flags taking a value, per program, so that their values are not read as files or patterns.
const HEAD_TAIL_VALUE_FLAGS: &[&str] = &[
    "-n",
    "-c",
    "--lines",
    "--bytes",
    "-s",
    "--sleep-interval",
    "--pid",
];
const BAT_VALUE_FLAGS: &[&str] = &[
    "-l",
    "--language",
    "-r",
    "--line-range",
    "-H",
    "--highlight-line",
    "-m",
    "--map-syntax",
    "--theme",
    "--style",
    "--tabs",
    "--wrap",
    "--terminal-width",
    "--paging",
    "--pager",
    "--color",
    "--decorations",
    "--file-name",
    "--italic-text",
];
const LESS_VALUE_FLAGS: &[&str] = &[
    "-b", "-h", "-j", "-k", "-o", "-O", "-p", "-P", "-t", "-T", "-x", "-y", "-z", "-#",
];
const NL_VALUE_FLAGS: &[&str] = &["-b", "-d", "-f", "-h", "-i", "-l", "-n", "-s", "-v", "-w"];
const LS_VALUE_FLAGS: &[&str] = &[
    "-I",
    "--ignore",
    "-w",
    "--width",
    "-T",
    "--tabsize",
    "--hide",
    "--block-size",
    "--format",
    "--sort",
    "--time",
    "--time-style",
    "--indicator-style",
    "--quoting-style",
];
const TREE_VALUE_FLAGS: &[&str] = &[
    "-L",
    "-P",
    "-I",
    "-o",
    "-H",
    "-T",
    "--filelimit",
    "--charset",
    "--sort",
    "--timefmt",
];
const FD_VALUE_FLAGS: &[&str] = &[
    "-e",
    "--extension",
    "-t",
    "--type",
    "-d",
    "--max-depth",
    "--min-depth",
    "--exact-depth",
    "-E",
    "--exclude",
    "-j",
    "--threads",
    "-S",
    "--size",
    "--changed-within",
    "--changed-before",
    "-o",
    "--owner",
    "--base-directory",
    "--search-path",
    "-c",
    "--color",
    "--max-results",
    "--format",
    "--ignore-file",
    "-x",
    "--exec",
    "-X",
    "--exec-batch",
];
const RG_VALUE_FLAGS: &[&str] = &[
    "-e",
    "--regexp",
    "-f",
    "--file",
    "-g",
    "--glob",
    "--iglob",
    "-t",
    "--type",
    "-T",
    "--type-not",
    "--type-add",
    "--type-clear",
    "-m",
    "--max-count",
    "-A",
    "--after-context",
    "-B",
    "--before-context",
    "-C",
    "--context",
    "-M",
    "--max-columns",
    "-d",
    "--max-depth",
    "-j",
    "--threads",
    "-E",
    "--encoding",
    "-r",
    "--replace",
    "--pre",
    "--pre-glob",
    "--sort",
    "--sortr",
    "--color",
    "--colors",
    "--max-filesize",
    "--path-separator",
    "--ignore-file",
    "--dfa-size-limit",
    "--regex-size-limit",
    "--engine",
    "--context-separator",
    "--field-context-separator",
    "--field-match-separator",
    "--hostname-bin",
    "--hyperlink-format",
];
const GREP_VALUE_FLAGS: &[&str] = &[
    "-e",
    "--regexp",
    "-f",
    "--file",
    "-m",
    "--max-count",
    "-A",
    "--after-context",
    "-B",
    "--before-context",
    "-C",
    "--context",
    "-d",
    "--directories",
    "-D",
    "--devices",
    "--include",
    "--exclude",
    "--exclude-dir",
    "--exclude-from",
    "--label",
    "--binary-files",
    "--group-separator",
];
const AG_VALUE_FLAGS: &[&str] = &[
    "-G",
    "--file-search-regex",
    "--ignore",
    "--ignore-dir",
    "-m",
    "--max-count",
    "-A",
    "--after",
    "-B",
    "--before",
    "-C",
    "--context",
    "--depth",
    "-p",
    "--path-to-ignore",
    "--pager",
    "-W",
    "--width",
];

/// Programs that only reshape the output piped into them; `rg foo | head -n 20` is one search. `xargs` is
/// not one of them: it runs a program of its own, which the UI must show.
const OUTPUT_FORMATTERS: &[&str] = &["head", "tail", "wc", "sort", "uniq", "cut", "tr", "column"];

/// What `command` does, one action per simple command, for the UI (upstream Codex's `parse_command`).
/// `cd` and output formatters after a pipe are left out; a reader given no file or several files is
/// `Unknown`, so is `find` / `fd` with an action that runs or deletes; a script this module does not
/// understand is one `Unknown` with the whole text. Paths are kept as written, not resolved against `cd`.
pub fn parse_command_actions(command: &ExecCommand) -> Vec<CommandAction> {
    let unknown_whole = || {
        vec![CommandAction::Unknown {
            command: command_text(command),
        }]
    };
    let Some(commands) = simple_commands(command) else {
        return unknown_whole();
    };
    let actions: Vec<CommandAction> = commands.iter().filter_map(simple_command_action).collect();
    if actions.is_empty() {
        unknown_whole()
    } else {
        actions
    }
}

/// The action of one simple command; `None` for what the UI leaves out (`cd`, a formatter after a pipe).
fn simple_command_action(simple: &SimpleCommand) -> Option<CommandAction> {
    let text = simple.text.as_str();
    let unknown = || CommandAction::Unknown {
        command: text.to_string(),
    };
    let Some((program, args)) = simple.words.split_first() else {
        return Some(unknown());
    };
    let program = program.as_str();
    if program == "cd"
        || (simple.after == Some(Connector::Pipe) && OUTPUT_FORMATTERS.contains(&program))
    {
        return None;
    }
    let single_file =
        |value_flags: &[&str]| match parse_arguments(args, value_flags).operands.as_slice() {
            [path] if *path != "-" => read_action(text, path),
            _ => unknown(),
        };
    let listing = |value_flags: &[&str]| CommandAction::ListFiles {
        command: text.to_string(),
        path: parse_arguments(args, value_flags)
            .operands
            .first()
            .map(|path| path.to_string()),
    };
    Some(match program {
        "cat" => single_file(&[]),
        "bat" | "batcat" => single_file(BAT_VALUE_FLAGS),
        "less" => single_file(LESS_VALUE_FLAGS),
        "more" => single_file(&["-n"]),
        "head" | "tail" => single_file(HEAD_TAIL_VALUE_FLAGS),
        "nl" => single_file(NL_VALUE_FLAGS),
        "sed" => sed_print_action(text, args).unwrap_or_else(unknown),
        "ls" => listing(LS_VALUE_FLAGS),
        "tree" => listing(TREE_VALUE_FLAGS),
        "find" => find_action(text, args).unwrap_or_else(unknown),
        "fd" | "fdfind" => fd_action(text, args).unwrap_or_else(unknown),
        "rg" if parse_arguments(args, RG_VALUE_FLAGS)
            .flags
            .iter()
            .any(|flag| flag == "--files") =>
        {
            listing(RG_VALUE_FLAGS)
        }
        "rg" => search_action(text, args, RG_VALUE_FLAGS),
        "grep" | "egrep" | "fgrep" => search_action(text, args, GREP_VALUE_FLAGS),
        "ag" => search_action(text, args, AG_VALUE_FLAGS),
        "git" => match args.split_first() {
            Some((subcommand, grep_args)) if subcommand == "grep" => {
                search_action(text, grep_args, GREP_VALUE_FLAGS)
            }
            _ => unknown(),
        },
        _ => unknown(),
    })
}

/// Reading one file, named by its last path component.
fn read_action(command: &str, path: &str) -> CommandAction {
    CommandAction::Read {
        command: command.to_string(),
        name: Path::new(path).file_name().map_or_else(
            || path.to_string(),
            |name| name.to_string_lossy().into_owned(),
        ),
        path: path.to_string(),
    }
}

/// `sed -n <range>p <file>`: reading lines of one file.
fn sed_print_action(text: &str, args: &[String]) -> Option<CommandAction> {
    let [quiet, range, path] = args else {
        return None;
    };
    let is_line_range = range.strip_suffix('p').is_some_and(|lines| {
        let mut bounds = lines.splitn(2, ',');
        bounds.all(|bound| {
            bound == "$" || (!bound.is_empty() && bound.chars().all(|c| c.is_ascii_digit()))
        })
    });
    (quiet == "-n" && is_line_range && !path.starts_with('-')).then(|| read_action(text, path))
}

/// `find` without an action that runs, deletes or writes: listing its first starting point.
fn find_action(text: &str, args: &[String]) -> Option<CommandAction> {
    const ACTIONS: &[&str] = &[
        "-exec", "-execdir", "-ok", "-okdir", "-delete", "-fls", "-fprint", "-fprint0", "-fprintf",
    ];
    if args.iter().any(|arg| ACTIONS.contains(&arg.as_str())) {
        return None;
    }
    // Leading `-H`/`-L`/`-P`/`-O<level>`/`-D <opts>` options, then the starting points, then the expression.
    let mut rest = args.iter().map(String::as_str).peekable();
    while let Some(option) =
        rest.next_if(|arg| matches!(*arg, "-H" | "-L" | "-P" | "-D") || arg.starts_with("-O"))
    {
        if option == "-D" {
            rest.next();
        }
    }
    Some(CommandAction::ListFiles {
        command: text.to_string(),
        path: rest
            .next()
            .filter(|arg| !arg.starts_with('-') && !matches!(*arg, "(" | "!"))
            .map(str::to_string),
    })
}

/// `fd` without `--exec`: listing under its second operand (the first is the pattern).
fn fd_action(text: &str, args: &[String]) -> Option<CommandAction> {
    let arguments = parse_arguments(args, FD_VALUE_FLAGS);
    let runs = arguments
        .flags
        .iter()
        .any(|flag| matches!(flag.as_str(), "-x" | "--exec" | "-X" | "--exec-batch"));
    (!runs).then(|| CommandAction::ListFiles {
        command: text.to_string(),
        path: arguments.operands.get(1).map(|path| path.to_string()),
    })
}

/// A search: the pattern (`-e`, else the first operand unless patterns come from a file) and the first path.
fn search_action(text: &str, args: &[String], value_flags: &[&str]) -> CommandAction {
    let arguments = parse_arguments(args, value_flags);
    let pattern = arguments
        .values
        .iter()
        .find(|(flag, _)| flag == "-e" || flag == "--regexp")
        .map(|(_, pattern)| pattern.to_string());
    let from_file = arguments
        .flags
        .iter()
        .any(|flag| flag == "-f" || flag == "--file");
    let (query, paths) = match pattern {
        Some(pattern) => (Some(pattern), arguments.operands.as_slice()),
        None if from_file => (None, arguments.operands.as_slice()),
        None => match arguments.operands.split_first() {
            Some((query, paths)) => (Some(query.to_string()), paths),
            None => (None, &[][..]),
        },
    };
    CommandAction::Search {
        command: text.to_string(),
        query,
        path: paths.first().map(|path| path.to_string()),
    }
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

    fn read(command: &str, name: &str, path: &str) -> CommandAction {
        CommandAction::Read {
            command: command.to_string(),
            name: name.to_string(),
            path: path.to_string(),
        }
    }

    fn list(command: &str, path: Option<&str>) -> CommandAction {
        CommandAction::ListFiles {
            command: command.to_string(),
            path: path.map(str::to_string),
        }
    }

    fn search(command: &str, query: Option<&str>, path: Option<&str>) -> CommandAction {
        CommandAction::Search {
            command: command.to_string(),
            query: query.map(str::to_string),
            path: path.map(str::to_string),
        }
    }

    fn unknown(command: &str) -> CommandAction {
        CommandAction::Unknown {
            command: command.to_string(),
        }
    }

    #[test]
    fn command_text_is_the_script_or_the_quoted_argv() {
        assert_eq!(command_text(&script("ls -la | head")), "ls -la | head");
        assert_eq!(
            command_text(&argv(&["bash", "-lc", "rg foo src"])),
            "rg foo src"
        );
        assert_eq!(command_text(&argv(&["/bin/zsh", "-l", "-c", "pwd"])), "pwd");
        assert_eq!(
            command_text(&argv(&["grep", "-n", "two words", "it's.txt"])),
            r#"grep -n 'two words' "it's.txt""#
        );
        assert_eq!(
            command_text(&argv(&["bash", "-x", "-c", "ls"])),
            "bash -x -c ls"
        );
    }

    #[test]
    fn reads() {
        let cases = [
            (
                "cat README.md",
                read("cat README.md", "README.md", "README.md"),
            ),
            (
                "bat -l rust src/lib.rs",
                read("bat -l rust src/lib.rs", "lib.rs", "src/lib.rs"),
            ),
            (
                "less -N docs/a.md",
                read("less -N docs/a.md", "a.md", "docs/a.md"),
            ),
            (
                "more notes.txt",
                read("more notes.txt", "notes.txt", "notes.txt"),
            ),
            (
                "head -n 50 src/main.rs",
                read("head -n 50 src/main.rs", "main.rs", "src/main.rs"),
            ),
            (
                "tail -n20 log/app.log",
                read("tail -n20 log/app.log", "app.log", "log/app.log"),
            ),
            (
                "tail --lines 5 a.txt",
                read("tail --lines 5 a.txt", "a.txt", "a.txt"),
            ),
            (
                "nl -ba core/x.rs",
                read("nl -ba core/x.rs", "x.rs", "core/x.rs"),
            ),
            (
                "sed -n '1,200p' core/src/lib.rs",
                read(
                    "sed -n '1,200p' core/src/lib.rs",
                    "lib.rs",
                    "core/src/lib.rs",
                ),
            ),
            ("sed -n 10p a", read("sed -n 10p a", "a", "a")),
            (
                "cat '/tmp/my file'",
                read("cat '/tmp/my file'", "my file", "/tmp/my file"),
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(
                parse_command_actions(&script(input)),
                vec![expected],
                "{input}"
            );
        }
    }

    #[test]
    fn listings() {
        let cases = [
            ("ls", list("ls", None)),
            ("ls -la src", list("ls -la src", Some("src"))),
            (
                "ls -I target -w 80 core",
                list("ls -I target -w 80 core", Some("core")),
            ),
            (
                "tree -L 2 app-server",
                list("tree -L 2 app-server", Some("app-server")),
            ),
            (
                "find . -name '*.rs'",
                list("find . -name '*.rs'", Some(".")),
            ),
            (
                "find -L src -type f",
                list("find -L src -type f", Some("src")),
            ),
            ("find -name x", list("find -name x", None)),
            ("fd -e rs mod core", list("fd -e rs mod core", Some("core"))),
            ("fd lib", list("fd lib", None)),
            ("rg --files", list("rg --files", None)),
            (
                "rg --files -g '*.toml' core",
                list("rg --files -g '*.toml' core", Some("core")),
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(
                parse_command_actions(&script(input)),
                vec![expected],
                "{input}"
            );
        }
    }

    #[test]
    fn searches() {
        let cases = [
            ("rg foo", search("rg foo", Some("foo"), None)),
            (
                "rg -n 'fn main' src",
                search("rg -n 'fn main' src", Some("fn main"), Some("src")),
            ),
            (
                "rg -g '*.rs' pat src",
                search("rg -g '*.rs' pat src", Some("pat"), Some("src")),
            ),
            (
                "rg -e needle -t rust core",
                search("rg -e needle -t rust core", Some("needle"), Some("core")),
            ),
            ("rg -C3 todo", search("rg -C3 todo", Some("todo"), None)),
            (
                "grep -rn -e PAT --include '*.rs' .",
                search("grep -rn -e PAT --include '*.rs' .", Some("PAT"), Some(".")),
            ),
            (
                "grep -A 2 err log.txt",
                search("grep -A 2 err log.txt", Some("err"), Some("log.txt")),
            ),
            (
                "grep -f pats.txt src",
                search("grep -f pats.txt src", None, Some("src")),
            ),
            (
                "ag --depth 2 Thread core",
                search("ag --depth 2 Thread core", Some("Thread"), Some("core")),
            ),
            (
                "git grep -n TODO -- core",
                search("git grep -n TODO -- core", Some("TODO"), Some("core")),
            ),
            ("rg -- -x", search("rg -- -x", Some("-x"), None)),
            ("grep", search("grep", None, None)),
        ];
        for (input, expected) in cases {
            assert_eq!(
                parse_command_actions(&script(input)),
                vec![expected],
                "{input}"
            );
        }
    }

    #[test]
    fn unknown_commands_keep_their_own_text() {
        let cases = [
            "cargo test -p codex-core",
            "cat a b",
            "cat",
            "sed -i s/a/b/ f",
            "sed -n 1,5p",
            "find . -name '*.tmp' -delete",
            "fd -x rm",
            "git status",
            "FOO=1 ls",
        ];
        for input in cases {
            assert_eq!(
                parse_command_actions(&script(input)),
                vec![unknown(input)],
                "{input}"
            );
        }
    }

    #[test]
    fn scripts_split_into_simple_commands() {
        assert_eq!(
            parse_command_actions(&script(
                "cd core && rg -n ExecCommand src | head -n 20; cat Cargo.toml || echo missing"
            )),
            vec![
                search("rg -n ExecCommand src", Some("ExecCommand"), Some("src")),
                read("cat Cargo.toml", "Cargo.toml", "Cargo.toml"),
                unknown("echo missing"),
            ]
        );
        assert_eq!(
            parse_command_actions(&script("ls src\n# then the manifest\ncat Cargo.toml\n")),
            vec![
                list("ls src", Some("src")),
                read("cat Cargo.toml", "Cargo.toml", "Cargo.toml"),
            ]
        );
        assert_eq!(
            parse_command_actions(&script("rg -l foo | xargs sed -i s/foo/bar/")),
            vec![
                search("rg -l foo", Some("foo"), None),
                unknown("xargs sed -i s/foo/bar/"),
            ]
        );
        assert_eq!(
            parse_command_actions(&script("rg foo | wc -l && ls|sort")),
            vec![search("rg foo", Some("foo"), None), list("ls", None)]
        );
        assert_eq!(
            parse_command_actions(&script("rg -n foo |\n  sort |\n  uniq")),
            vec![search("rg -n foo", Some("foo"), None)]
        );
        // A formatter that does not follow a pipe is a command of its own.
        assert_eq!(
            parse_command_actions(&script("sort names.txt")),
            vec![unknown("sort names.txt")]
        );
    }

    #[test]
    fn operators_inside_quotes_do_not_split() {
        assert_eq!(
            parse_command_actions(&script(r#"rg "a && b|c" src; grep 'x;y' f"#)),
            vec![
                search(r#"rg "a && b|c" src"#, Some("a && b|c"), Some("src")),
                search("grep 'x;y' f", Some("x;y"), Some("f")),
            ]
        );
        assert_eq!(
            parse_command_actions(&script(r"grep a\;b f")),
            vec![search(r"grep a\;b f", Some("a;b"), Some("f"))]
        );
    }

    #[test]
    fn allowed_redirections_are_not_operands() {
        assert_eq!(
            parse_command_actions(&script("rg foo src 2>/dev/null | head")),
            vec![search("rg foo src 2>/dev/null", Some("foo"), Some("src"))]
        );
        assert_eq!(
            parse_command_actions(&script("cat a.txt 2>&1 > /dev/null")),
            vec![read("cat a.txt 2>&1 > /dev/null", "a.txt", "a.txt")]
        );
    }

    #[test]
    fn argv_and_shell_argv_forms() {
        assert_eq!(
            parse_command_actions(&argv(&["rg", "-n", "two words", "src"])),
            vec![search(
                "rg -n 'two words' src",
                Some("two words"),
                Some("src")
            )]
        );
        assert_eq!(
            parse_command_actions(&argv(&["cat", "a && b"])),
            vec![read("cat 'a && b'", "a && b", "a && b")]
        );
        assert_eq!(
            parse_command_actions(&argv(&["bash", "-lc", "cd x && ls -a"])),
            vec![list("ls -a", None)]
        );
        assert_eq!(
            parse_command_actions(&argv(&["sh", "-c", "head -n 5 a.txt | tail -n 1"])),
            vec![read("head -n 5 a.txt", "a.txt", "a.txt")]
        );
        assert_eq!(parse_command_actions(&argv(&[])), vec![unknown("")]);
    }

    #[test]
    fn cd_alone_is_unknown() {
        assert_eq!(
            parse_command_actions(&script("cd src")),
            vec![unknown("cd src")]
        );
        assert_eq!(
            parse_command_actions(&script("cd a && cd b")),
            vec![unknown("cd a && cd b")]
        );
    }

    #[test]
    fn constructs_not_understood_are_one_unknown() {
        let cases = [
            "cat $(which x)",
            "cat `which x`",
            "echo \"$(date)\"",
            "(cd src && ls)",
            "cat <<EOF\nhi\nEOF",
            "grep x < f",
            "echo hi > f",
            "rg foo >> out.txt",
            "sleep 5 &",
            "ls |& head",
            "cat 'unterminated",
            "grep \"unterminated",
            "ls \\",
            "ls && && ls",
            "ls &&",
            "; ls",
            "diff <(ls a) <(ls b)",
            "ls 3>&1",
            "ls 2>&-",
            "",
        ];
        for input in cases {
            assert_eq!(
                parse_command_actions(&script(input)),
                vec![unknown(input)],
                "{input:?}"
            );
        }
    }

    #[test]
    fn never_panics() {
        let inputs = [
            "'",
            "\"",
            "\\",
            ">",
            "2>",
            "&",
            "|",
            "||",
            "&&",
            ";",
            "\n",
            "#",
            "$",
            "${",
            "é>",
            "é&>x",
            "ls é",
            ">&",
            "2>&",
            "sed -n",
            "find -D",
            "git",
            "head -n",
            "rg -e",
            "grep --regexp",
            "ls # c; rm",
            "a\\\nb",
            "x\u{a0}2>/dev/null",
            "\u{a0}>",
            "\"\\",
            "x 2>/dev/nul",
            "--",
            "-",
            "- -",
        ];
        for input in inputs {
            let _ = parse_command_actions(&script(input));
            let _ = command_text(&script(input));
            let words: Vec<&str> = input.split(' ').collect();
            let _ = parse_command_actions(&argv(&words));
        }
        // Random scripts over the characters the splitter cares about, from a fixed seed.
        let alphabet: Vec<char> = "ab12-=/ \t\n'\"\\$`()<>&|;#*?[{é\u{a0}".chars().collect();
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize
        };
        for _ in 0..20_000 {
            let length = next() % 24;
            let input: String = (0..length)
                .map(|_| alphabet[next() % alphabet.len()])
                .collect();
            let _ = parse_command_actions(&script(&input));
            let _ = parse_command_actions(&argv(&["bash", "-lc", &input]));
        }
    }
}
