//! `split_script`: a shell script as its simple commands, parsed with tree-sitter-bash and accepted only when
//! every node is of a kind on an allow-list (words, quotes, `&&` / `||` / `;` / `|`, and redirections that
//! write nothing), as upstream Codex's `core/src/bash.rs` does. Anything else is "not understood".

use tree_sitter::Node;
use tree_sitter::Parser;
use tree_sitter::Tree;

/// How a simple command is joined to the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Connector {
    /// `;` or a line break.
    Sequence,
    And,
    Or,
    Pipe,
}

/// One simple command of a script (or the whole argv of a command run without a shell).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SimpleCommand {
    /// The command as written, with its redirections.
    pub(crate) text: String,
    /// Its words after quote removal, without the `2>&1` / `>/dev/null` redirections.
    pub(crate) words: Vec<String>,
    /// How it is joined to the previous command; `None` for the first.
    pub(crate) after: Option<Connector>,
    /// A `$` outside single quotes that the grammar took as a literal (`"a$"`, `\$x`): bash may disagree,
    /// so its words may not be what will run.
    pub(crate) expands: bool,
    /// An unquoted `*`, `?`, `[` or `{`: the shell may turn a file name into any word, flags included.
    pub(crate) globs: bool,
}

/// Splits `script` into its simple commands; `None` when it holds a syntax error or a node this module does
/// not accept: substitutions (`$(...)`, backticks, `<(...)`), parameter and arithmetic expansions, subshells,
/// compound commands, functions, variable assignments, background `&`, `|&`, input redirections, heredocs,
/// and output redirections other than `2>&1`-style duplications and `>/dev/null`.
pub(crate) fn split_script(script: &str) -> Option<Vec<SimpleCommand>> {
    let tree = parse(script)?;
    let root = tree.root_node();
    if root.has_error() {
        return None;
    }
    let mut splitter = Splitter {
        source: script,
        commands: Vec::new(),
        last_start: 0,
        next_connector: None,
    };
    splitter.walk(root)?;
    Some(splitter.commands)
}

fn parse(script: &str) -> Option<Tree> {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_bash::LANGUAGE.into())
        .ok()?;
    parser.parse(script, None)
}

/// The walk over an accepted tree, in document order.
struct Splitter<'a> {
    source: &'a str,
    commands: Vec<SimpleCommand>,
    /// Where the last command pushed starts, so that redirections hung after it can join its text.
    last_start: usize,
    /// The connector the next command is joined with: the last operator seen, or `;` after a line break.
    next_connector: Option<Connector>,
}

/// A step of the walk. The walk keeps its own stack: the grammar nests `a && b && c` one list deeper per
/// operator, so recursing would let a long script overflow the thread's stack.
enum Step<'tree> {
    Visit(Node<'tree>),
    /// The body of a `redirected_statement` has been walked: give its redirections to the last command.
    Redirections {
        statement: Node<'tree>,
        commands_before: usize,
    },
}

impl<'a> Splitter<'a> {
    fn text(&self, node: Node) -> Option<&'a str> {
        self.source.get(node.byte_range())
    }

    /// Walks statements (`program`, `list`, `pipeline`, `redirected_statement`, `command`) joined by
    /// operators, line breaks and comments.
    fn walk(&mut self, root: Node) -> Option<()> {
        let mut steps = vec![Step::Visit(root)];
        while let Some(step) = steps.pop() {
            let node = match step {
                Step::Visit(node) => node,
                Step::Redirections {
                    statement,
                    commands_before,
                } => {
                    if self.commands.len() == commands_before {
                        return None;
                    }
                    self.redirections(statement)?;
                    continue;
                }
            };
            let connector = match node.kind() {
                "program" | "list" | "pipeline" => {
                    let mut cursor = node.walk();
                    let children: Vec<Node> = node.children(&mut cursor).collect();
                    steps.extend(children.into_iter().rev().map(Step::Visit));
                    continue;
                }
                "redirected_statement" => {
                    let body = node
                        .child(0)
                        .filter(|body| body.kind() != "file_redirect")?;
                    steps.push(Step::Redirections {
                        statement: node,
                        commands_before: self.commands.len(),
                    });
                    steps.push(Step::Visit(body));
                    continue;
                }
                "command" => {
                    self.command(node)?;
                    continue;
                }
                "comment" => continue,
                "&&" => Connector::And,
                "||" => Connector::Or,
                "|" => Connector::Pipe,
                ";" => Connector::Sequence,
                _ => return None,
            };
            self.next_connector = Some(connector);
        }
        Some(())
    }

    /// The redirections after the body of `statement` (`rg foo 2>/dev/null`). The grammar also hangs them
    /// on a whole list or pipeline (`a && b 2>/dev/null`) where bash gives them to the last simple
    /// command, as this does; the accepted ones write nothing, so either reading is safe.
    fn redirections(&mut self, statement: Node) -> Option<()> {
        let mut flags = WordFlags::default();
        let mut words = Vec::new();
        let mut cursor = statement.walk();
        for redirect in statement.children(&mut cursor).skip(1) {
            match redirect.kind() {
                "file_redirect" => words.extend(self.redirect(redirect, &mut flags)?),
                _ => return None,
            }
        }
        let text = self
            .source
            .get(self.last_start..statement.end_byte())?
            .to_string();
        let last = self.commands.last_mut()?;
        last.text = text;
        last.words.extend(words);
        last.expands |= flags.expands;
        last.globs |= flags.globs;
        Some(())
    }

    /// Pushes the simple command `node`.
    fn command(&mut self, node: Node) -> Option<()> {
        let mut words = Vec::new();
        let mut flags = WordFlags::default();
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            match child.kind() {
                "file_redirect" => words.extend(self.redirect(child, &mut flags)?),
                "command_name" => {
                    let mut name_cursor = child.walk();
                    let mut parts = child.named_children(&mut name_cursor);
                    let (Some(name), None) = (parts.next(), parts.next()) else {
                        return None;
                    };
                    words.push(self.word(name, &mut flags)?);
                }
                _ => words.push(self.word(child, &mut flags)?),
            }
        }
        self.last_start = node.start_byte();
        self.commands.push(SimpleCommand {
            text: self.text(node)?.to_string(),
            words,
            after: self.next_connector,
            expands: flags.expands,
            globs: flags.globs,
        });
        self.next_connector = Some(Connector::Sequence);
        Some(())
    }

    /// One argument after quote removal; `None` unless built only of words, numbers and quoted strings
    /// without expansions.
    fn word(&self, node: Node, flags: &mut WordFlags) -> Option<String> {
        self.check_word_parts(node, flags)?;
        // The grammar has vouched for the structure; shlex removes the quotes and backslashes the same
        // way for what is left. A node it reads as other than one word is not understood.
        let mut split = shlex::split(self.text(node)?)?;
        match split.len() {
            1 => split.pop(),
            _ => None,
        }
    }

    fn check_word_parts(&self, node: Node, flags: &mut WordFlags) -> Option<()> {
        match node.kind() {
            "raw_string" => Some(()),
            "word" | "number" | "string_content" | "$" => {
                let text = self.text(node)?;
                flags.expands |= text.contains('$');
                flags.globs |= node.kind() == "word" && text.contains(['*', '?', '[', '{']);
                Some(())
            }
            "\"" => Some(()),
            "string" | "concatenation" => {
                let mut cursor = node.walk();
                for child in node.children(&mut cursor) {
                    self.check_word_parts(child, flags)?;
                }
                Some(())
            }
            _ => None,
        }
    }

    /// Accepts only redirections that write nothing: stdout or stderr to `/dev/null`, or duplicated onto
    /// each other (`2>&1`, `1>&2`). Returns the words the grammar hangs after the destination
    /// (`>/dev/null b c`), which bash passes to the command as arguments.
    fn redirect(&self, node: Node, flags: &mut WordFlags) -> Option<Vec<String>> {
        let mut cursor = node.walk();
        let children: Vec<Node> = node.children(&mut cursor).collect();
        let (descriptor, rest) = match children.split_first() {
            Some((first, rest)) if first.kind() == "file_descriptor" => (Some(*first), rest),
            _ => (None, children.as_slice()),
        };
        // The grammar reads `0>&1` as the argument `0` followed by `>&1`, where bash reads a descriptor.
        let digit_before = node
            .start_byte()
            .checked_sub(1)
            .and_then(|at| self.source.as_bytes().get(at))
            .is_some_and(u8::is_ascii_digit);
        if descriptor.is_none() && digit_before {
            return None;
        }
        let [operator, destination, arguments @ ..] = rest else {
            return None;
        };
        let descriptor = match descriptor {
            Some(descriptor) => Some(self.text(descriptor)?),
            None => None,
        };
        let destination = self.text(*destination)?;
        let allowed = match (descriptor, operator.kind()) {
            (None | Some("1" | "2"), ">" | ">>") | (None, "&>" | "&>>") => {
                destination == "/dev/null"
            }
            (None | Some("1" | "2"), ">&") => matches!(destination, "1" | "2"),
            _ => false,
        };
        if !allowed {
            return None;
        }
        arguments
            .iter()
            .map(|argument| self.word(*argument, flags))
            .collect()
    }
}

/// What the words of one command hold that makes them differ from what will run.
#[derive(Default)]
struct WordFlags {
    expands: bool,
    globs: bool,
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    fn words(script: &str) -> Option<Vec<Vec<String>>> {
        split_script(script)
            .map(|commands| commands.into_iter().map(|command| command.words).collect())
    }

    fn owned(commands: &[&[&str]]) -> Vec<Vec<String>> {
        commands
            .iter()
            .map(|words| words.iter().map(|word| word.to_string()).collect())
            .collect()
    }

    #[test]
    fn splits_on_operators_and_line_breaks_keeping_each_command_text() {
        let commands =
            split_script("cd core && rg -n 'a b' src 2>/dev/null | head; ls\npwd || true")
                .expect("understood");
        let shown: Vec<(&str, Option<Connector>)> = commands
            .iter()
            .map(|command| (command.text.as_str(), command.after))
            .collect();
        assert_eq!(
            shown,
            vec![
                ("cd core", None),
                ("rg -n 'a b' src 2>/dev/null", Some(Connector::And)),
                ("head", Some(Connector::Pipe)),
                ("ls", Some(Connector::Sequence)),
                ("pwd", Some(Connector::Sequence)),
                ("true", Some(Connector::Or)),
            ]
        );
        assert_eq!(commands[1].words, ["rg", "-n", "a b", "src"]);
    }

    #[test]
    fn quotes_and_escapes_are_removed() {
        assert_eq!(
            words(r#"grep "a\"b" 'c d'e f\;g """#),
            Some(owned(&[&["grep", "a\"b", "c de", "f;g", ""]]))
        );
    }

    #[test]
    fn hostile_scripts_are_not_understood() {
        let cases = [
            // Command substitution, in every spelling.
            "cat $(rm -rf /)",
            "cat `rm -rf /`",
            "echo \"$(rm -rf /)\"",
            "echo \"`rm -rf /`\"",
            // Parameter and arithmetic expansion.
            "cat ${HOME}/.ssh/id_rsa",
            "cat $HOME",
            "ls ${x:-$(rm -rf /)}",
            "echo $((1 + 2))",
            "echo $'\\x72m'",
            // Process substitution.
            "diff <(ls) <(rm -rf x)",
            "tee >(rm -rf x)",
            // Redirections that write or read a file.
            "ls > out.txt",
            "ls >> ~/.bashrc",
            "ls 2> err.log",
            "ls &> out.txt",
            "ls >| /dev/null",
            "ls 2>&1 >out.txt",
            "ls 0>&1",
            "ls 3>&1",
            "cat < /etc/passwd",
            "cat <<EOF\nx\nEOF",
            "cat <<< x",
            // Grouping, control flow, functions, assignments, jobs.
            "(rm -rf x)",
            "ls; (rm -rf x)",
            "{ ls; }",
            "if true; then rm -rf x; fi",
            "for f in *; do rm $f; done",
            "f() { rm -rf x; }; f",
            "X=1 ls",
            "export PATH=.",
            "ls & rm -rf x",
            "ls |& cat",
            "! ls",
            "[[ -f x ]]",
            // Syntax errors.
            "ls &&",
            "; ls",
            "ls 'unterminated",
        ];
        let understood: Vec<&str> = cases
            .into_iter()
            .filter(|script| split_script(script).is_some())
            .collect();
        assert_eq!(understood, Vec::<&str>::new());
    }

    #[test]
    fn a_dangerous_command_after_a_separator_is_its_own_command() {
        for script in [
            "ls; rm -rf /",
            "ls\nrm -rf /",
            "ls && rm -rf /",
            "ls | rm -rf /",
        ] {
            assert_eq!(
                words(script),
                Some(owned(&[&["ls"], &["rm", "-rf", "/"]])),
                "{script:?}"
            );
        }
        // A comment runs to the end of its line, not further.
        assert_eq!(
            words("ls # c ; rm\nrm -rf /"),
            Some(owned(&[&["ls"], &["rm", "-rf", "/"]]))
        );
    }

    #[test]
    fn unicode_words_are_kept_whole() {
        assert_eq!(
            words("cat été.txt && rg 'ünï cödé' 日本"),
            Some(owned(&[&["cat", "été.txt"], &["rg", "ünï cödé", "日本"]]))
        );
        // A no-break space is no blank to bash: it stays inside the word.
        assert_eq!(words("ls\u{a0}-a"), Some(owned(&[&["ls\u{a0}-a"]])));
    }

    #[test]
    fn literal_dollars_and_unquoted_globs_are_flagged() {
        let flags = |script: &str| {
            split_script(script).map(|commands| {
                commands
                    .iter()
                    .map(|command| (command.expands, command.globs))
                    .collect::<Vec<_>>()
            })
        };
        assert_eq!(flags("rg \"a$\" x"), Some(vec![(true, false)]));
        assert_eq!(flags("echo \\$HOME"), Some(vec![(true, false)]));
        assert_eq!(flags("sed -n '1,$p' f"), Some(vec![(false, false)]));
        assert_eq!(flags("ls *.rs 'b*'"), Some(vec![(false, true)]));
        assert_eq!(flags("rg {--pre=sh,x}"), Some(vec![(false, true)]));
        assert_eq!(flags("ls [ab] a?"), Some(vec![(false, true)]));
    }

    #[test]
    fn words_after_a_redirection_are_arguments() {
        assert_eq!(
            words("echo a >/dev/null b c 2>&1 d"),
            Some(owned(&[&["echo", "a", "b", "c", "d"]]))
        );
        assert_eq!(
            words("ls && rg foo 2>/dev/null src | head"),
            Some(owned(&[&["ls"], &["rg", "foo", "src"], &["head"]]))
        );
        let commands = split_script("rg x | head 2>/dev/null -n 3").expect("understood");
        assert_eq!(commands[1].text, "head 2>/dev/null -n 3");
        assert_eq!(commands[1].words, ["head", "-n", "3"]);
        assert_eq!(words("ls >/dev/null $(rm -rf x)"), None);
    }

    #[test]
    fn allowed_redirections() {
        for script in [
            "ls 2>/dev/null",
            "ls >/dev/null 2>&1",
            "ls 1>&2",
            "ls &>/dev/null",
            "ls >>/dev/null",
            "2>/dev/null ls",
        ] {
            assert_eq!(words(script), Some(owned(&[&["ls"]])), "{script:?}");
        }
    }

    #[test]
    fn long_and_deeply_nested_scripts_do_not_overflow_a_small_stack() {
        let walked = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(|| {
                let chain = vec!["ls"; 20_000].join(" && ");
                let nested = format!("{}ls{}", "(".repeat(20_000), ")".repeat(20_000));
                (
                    split_script(&chain).map(|commands| commands.len()),
                    split_script(&nested).map(|commands| commands.len()),
                )
            })
            .expect("spawn")
            .join()
            .expect("no stack overflow");
        assert_eq!(walked, (Some(20_000), None));
    }
}
