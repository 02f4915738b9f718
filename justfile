# Developer shortcuts. `just --list` shows them.

# Format every crate.
fmt:
    cargo fmt --all

# Lint with warnings as errors, as CI does.
lint:
    cargo clippy --workspace --all-targets -- -D warnings

# The test command of README.md and CI.
test:
    cargo test --workspace

# Regenerate the committed JSON Schema and TypeScript under schema/ from the Rust wire types.
write-schema:
    cargo run -q -p codex-app-server-protocol --bin write_schema -- schema

# The source-structure report: module cycles, files over 800 lines, functions over 120 (exit 1 on any).
structure:
    cargo run -q -p codex-app-server-tests --bin source_structure

# Everything CI runs.
ci:
    bash .ci/run

# Benchmark: our release binary (add `--server-cmd "codex app-server"` to measure upstream side by side).
bench *ARGS:
    cargo build --release -p codex-app-server
    cargo run --release -q -p codex-app-server-tests --bin bench -- {{ARGS}}
