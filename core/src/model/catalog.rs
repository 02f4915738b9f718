//! The built-in model catalog: the models this build knows about, the default model, a fallback for slugs
//! it does not know, the default base instructions, and the catalog merged with a `model_catalog_json`
//! file.

use std::path::Path;

use serde::Deserialize;

use crate::model::info::ApplyPatchToolType;
use crate::model::info::ModelInfo;
use crate::model::info::ReasoningEffort;
use crate::model::info::ReasoningEffortPreset;
use crate::model::info::ShellToolType;
use crate::model::info::Verbosity;

/// Why a `model_catalog_json` file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("failed to read {}: {source}", path.display())]
    Read {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid model catalog {}: {message}", path.display())]
    Invalid {
        path: std::path::PathBuf,
        message: String,
    },
}

const DEFAULT_MODEL: &str = "gpt-5.2-codex";
const DEFAULT_CONTEXT_WINDOW: i64 = 272_000;
/// Unknown models get a smaller window so auto-compaction errs on the early side.
const FALLBACK_CONTEXT_WINDOW: i64 = 128_000;

/// The system prompt used unless config or the thread sets `base_instructions`.
pub const BASE_INSTRUCTIONS: &str = r#"You are a coding agent working in the user's workspace through a set of tools. You read code, run commands, and edit files to get the user's task done, then report what you did.

How you work:
- Understand before you change. Read the relevant files and search the codebase before editing; do not guess at APIs, paths, or conventions you can look up.
- Keep changes focused. Fix the problem at its root, touch only what the task needs, and follow the style and structure already present in the project. Do not reformat unrelated code or add licence headers.
- Edit files with the apply_patch tool. Run commands with the shell tool, setting the working directory instead of chaining `cd`. Prefer fast search tools such as `rg`.
- Verify your work. When the project has tests, a build or a linter, run the ones relevant to your change and fix what you broke. Say plainly when you could not verify something.
- Respect the sandbox and approval settings. If a command needs permissions you do not have, ask for them with a short justification rather than working around the restriction. Never run destructive commands (such as `git reset --hard` or deleting files you did not create) unless the user asked for it.
- Do not commit, create branches, or push unless the user asks you to.

How you communicate:
- Before a batch of tool calls, send a one-sentence note about what you are about to do.
- For longer tasks, keep a short plan and update it as steps complete.
- Your final message is concise and factual: what changed, where (file paths), how it was verified, and anything left for the user to decide. Use Markdown sparingly; wrap commands, paths and identifiers in backticks.
- If the request is ambiguous or cannot be done safely, say so and ask a focused question instead of guessing.
"#;

/// The slug used when neither config nor the thread names a model.
pub fn default_model() -> &'static str {
    DEFAULT_MODEL
}

/// Every model this build knows about, default first.
pub fn builtin_models() -> Vec<ModelInfo> {
    vec![
        codex_model(
            "gpt-5.2-codex",
            "gpt-5.2-codex",
            "Latest frontier agentic coding model.",
            true,
        ),
        codex_model(
            "gpt-5.1-codex-max",
            "gpt-5.1-codex-max",
            "Codex-optimized flagship for deep and fast reasoning.",
            true,
        ),
        codex_model(
            "gpt-5.1-codex-mini",
            "gpt-5.1-codex-mini",
            "Optimized for codex. Cheaper, faster, but less capable.",
            false,
        ),
        general_model(
            "gpt-5.2",
            "gpt-5.2",
            "Latest frontier model with improvements across knowledge, reasoning and coding.",
            true,
        ),
        general_model(
            "gpt-5.1",
            "gpt-5.1",
            "Broad world knowledge with strong general reasoning.",
            false,
        ),
    ]
}

/// The built-in entry for `slug`, if this build knows it.
pub fn find(slug: &str) -> Option<ModelInfo> {
    builtin_models()
        .into_iter()
        .find(|model| model.slug == slug)
}

/// An entry for a model the catalog does not know: the slug with conservative defaults, so a custom or newer
/// model still works.
pub fn fallback(slug: &str) -> ModelInfo {
    ModelInfo {
        slug: slug.to_string(),
        display_name: slug.to_string(),
        description: String::new(),
        default_reasoning_level: None,
        supported_reasoning_levels: Vec::new(),
        supports_reasoning_summaries: false,
        support_verbosity: false,
        default_verbosity: None,
        context_window: Some(FALLBACK_CONTEXT_WINDOW),
        effective_context_window_percent: 95,
        shell_type: ShellToolType::ShellCommand,
        apply_patch_tool_type: ApplyPatchToolType::Function,
        supports_parallel_tool_calls: false,
        prefer_websockets: false,
        input_modalities: vec!["text".to_string()],
        supports_personality: false,
        hidden: false,
        upgrade: None,
    }
}

/// The built-in catalog merged with the entries of a `{"models": [...]}` file (same slug replaces).
pub(crate) fn load_catalog_with_file(path: Option<&Path>) -> Result<Vec<ModelInfo>, CatalogError> {
    #[derive(Deserialize)]
    struct CatalogFile {
        models: Vec<serde_json::Value>,
    }

    let mut models = builtin_models();
    let Some(path) = path else {
        return Ok(models);
    };
    let text = std::fs::read_to_string(path).map_err(|source| CatalogError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let file: CatalogFile = serde_json::from_str(&text).map_err(|err| CatalogError::Invalid {
        path: path.to_path_buf(),
        message: err.to_string(),
    })?;
    for entry in file.models {
        // Our own shape and upstream's `model_catalog_json` shape are both accepted.
        let model = ModelInfo::from_catalog_entry(entry).map_err(|err| CatalogError::Invalid {
            path: path.to_path_buf(),
            message: err.to_string(),
        })?;
        match models.iter_mut().find(|known| known.slug == model.slug) {
            Some(known) => *known = model,
            None => models.push(model),
        }
    }
    Ok(models)
}

fn reasoning_levels(with_xhigh: bool) -> Vec<ReasoningEffortPreset> {
    let mut levels = vec![
        ReasoningEffortPreset {
            effort: ReasoningEffort::Low,
            description: "Fast responses with lighter reasoning".to_string(),
        },
        ReasoningEffortPreset {
            effort: ReasoningEffort::Medium,
            description: "Balances speed and reasoning depth for everyday tasks".to_string(),
        },
        ReasoningEffortPreset {
            effort: ReasoningEffort::High,
            description: "Greater reasoning depth for complex problems".to_string(),
        },
    ];
    if with_xhigh {
        levels.push(ReasoningEffortPreset {
            effort: ReasoningEffort::Xhigh,
            description: "Extra high reasoning depth for complex problems".to_string(),
        });
    }
    levels
}

fn codex_model(slug: &str, display_name: &str, description: &str, with_xhigh: bool) -> ModelInfo {
    ModelInfo {
        slug: slug.to_string(),
        display_name: display_name.to_string(),
        description: description.to_string(),
        default_reasoning_level: Some(ReasoningEffort::Medium),
        supported_reasoning_levels: reasoning_levels(with_xhigh),
        supports_reasoning_summaries: true,
        support_verbosity: false,
        default_verbosity: None,
        context_window: Some(DEFAULT_CONTEXT_WINDOW),
        effective_context_window_percent: 95,
        shell_type: ShellToolType::ShellCommand,
        apply_patch_tool_type: ApplyPatchToolType::Freeform,
        supports_parallel_tool_calls: true,
        prefer_websockets: false,
        input_modalities: vec!["text".to_string(), "image".to_string()],
        supports_personality: true,
        hidden: false,
        upgrade: None,
    }
}

fn general_model(slug: &str, display_name: &str, description: &str, with_xhigh: bool) -> ModelInfo {
    ModelInfo {
        support_verbosity: true,
        default_verbosity: Some(Verbosity::Low),
        supports_personality: false,
        ..codex_model(slug, display_name, description, with_xhigh)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn default_model_is_in_the_catalog_with_the_recorded_window() {
        let model = find(default_model()).expect("default model is built in");
        assert_eq!(model.effective_context_window(), Some(258_400));
        assert_eq!(model.default_reasoning_level, Some(ReasoningEffort::Medium));
        assert_eq!(builtin_models()[0].slug, default_model());
    }

    #[test]
    fn unknown_slug_gets_a_fallback() {
        assert_eq!(find("my-local-model"), None);
        let model = fallback("my-local-model");
        assert_eq!(model.slug, "my-local-model");
        assert_eq!(model.supports_reasoning_summaries, false);
        assert_eq!(model.context_window, Some(FALLBACK_CONTEXT_WINDOW));
    }

    #[test]
    fn catalog_file_replaces_and_adds_by_slug() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("models.json");
        let mut replaced = fallback("gpt-5.1");
        replaced.display_name = "Replaced".to_string();
        let added = fallback("local-llm");
        std::fs::write(
            &path,
            serde_json::json!({ "models": [replaced.clone(), added.clone()] }).to_string(),
        )
        .expect("write");

        let models = load_catalog_with_file(Some(&path)).expect("load");

        let mut expected = builtin_models();
        let index = expected
            .iter()
            .position(|m| m.slug == "gpt-5.1")
            .expect("gpt-5.1");
        expected[index] = replaced;
        expected.push(added);
        assert_eq!(models, expected);
    }
}
