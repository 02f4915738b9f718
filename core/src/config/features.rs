//! Feature flags: the `[features]` table of config.toml plus `--enable` / `--disable`, with upstream keys.

use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::path::Path;

use crate::config::ConfigWarning;

/// A feature gate, named by its upstream `[features]` key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Feature {
    /// Use the Responses API over WebSocket when the provider supports it.
    ResponsesWebsockets,
    /// The v2 WebSocket protocol (incremental requests within a turn).
    ResponsesWebsocketsV2,
    /// Offer the hosted web search tool.
    WebSearchRequest,
    /// Offer the shell tool.
    ShellTool,
    /// Offer `apply_patch` as a freeform (grammar) tool.
    ApplyPatchFreeform,
    /// The model's shell tool is unified exec (`exec_command` + `write_stdin`: long-lived sessions, a PTY
    /// on request), whatever its catalog entry says; on by default, as upstream's.
    UnifiedExec,
    /// Compress request bodies (zstd) for providers that accept it.
    RequestCompression,
    /// Add timing metrics to turn telemetry.
    IncludeTimingMetrics,
    /// Offer the image viewing tool.
    ViewImageTool,
    /// Web search served from the cache.
    WebSearchCached,
}

impl Feature {
    pub const ALL: [Feature; 10] = [
        Feature::ResponsesWebsockets,
        Feature::ResponsesWebsocketsV2,
        Feature::WebSearchRequest,
        Feature::ShellTool,
        Feature::ApplyPatchFreeform,
        Feature::UnifiedExec,
        Feature::RequestCompression,
        Feature::IncludeTimingMetrics,
        Feature::ViewImageTool,
        Feature::WebSearchCached,
    ];

    /// The key used in `[features]` and on the command line.
    pub fn key(self) -> &'static str {
        match self {
            Feature::ResponsesWebsockets => "responses_websockets",
            Feature::ResponsesWebsocketsV2 => "responses_websockets_v2",
            Feature::WebSearchRequest => "web_search_request",
            Feature::ShellTool => "shell_tool",
            Feature::ApplyPatchFreeform => "apply_patch_freeform",
            Feature::UnifiedExec => "unified_exec",
            Feature::RequestCompression => "request_compression",
            Feature::IncludeTimingMetrics => "include_timing_metrics",
            Feature::ViewImageTool => "view_image_tool",
            Feature::WebSearchCached => "web_search_cached",
        }
    }

    pub fn from_key(key: &str) -> Option<Feature> {
        Feature::ALL
            .into_iter()
            .find(|feature| feature.key() == key)
    }

    /// Whether the feature is on when nothing configures it.
    pub fn default_enabled(self) -> bool {
        match self {
            Feature::ShellTool | Feature::ViewImageTool | Feature::UnifiedExec => true,
            Feature::ResponsesWebsockets
            | Feature::ResponsesWebsocketsV2
            | Feature::WebSearchRequest
            | Feature::ApplyPatchFreeform
            | Feature::RequestCompression
            | Feature::IncludeTimingMetrics
            | Feature::WebSearchCached => false,
        }
    }
}

/// The resolved set of enabled features.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Features {
    enabled: BTreeSet<Feature>,
}

impl Default for Features {
    fn default() -> Self {
        Features {
            enabled: Feature::ALL
                .into_iter()
                .filter(|feature| feature.default_enabled())
                .collect(),
        }
    }
}

impl Features {
    pub fn enabled(&self, feature: Feature) -> bool {
        self.enabled.contains(&feature)
    }

    pub fn set(&mut self, feature: Feature, enabled: bool) {
        if enabled {
            self.enabled.insert(feature);
        } else {
            self.enabled.remove(&feature);
        }
    }

    /// Defaults, then the `[features]` table, then `--enable`, then `--disable`. Unknown names warn.
    pub fn resolve(
        table: &BTreeMap<String, bool>,
        enable: &[String],
        disable: &[String],
        config_path: &Path,
        warnings: &mut Vec<ConfigWarning>,
    ) -> Features {
        let mut features = Features::default();
        let mut unknown = |name: &str, location: &str, path: Option<&Path>| {
            warnings.push(ConfigWarning {
                summary: format!("unknown feature `{name}` {location} was ignored"),
                details: Some(format!(
                    "known features: {}",
                    Feature::ALL.map(Feature::key).join(", ")
                )),
                path: path.map(Path::to_path_buf),
            });
        };
        for (name, enabled) in table {
            match Feature::from_key(name) {
                Some(feature) => features.set(feature, *enabled),
                None => unknown(name, "in [features]", Some(config_path)),
            }
        }
        for (names, enabled) in [(enable, true), (disable, false)] {
            for name in names {
                match Feature::from_key(name) {
                    Some(feature) => features.set(feature, enabled),
                    None => unknown(name, "on the command line", None),
                }
            }
        }
        features
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn keys_round_trip() {
        for feature in Feature::ALL {
            assert_eq!(Feature::from_key(feature.key()), Some(feature));
        }
        assert_eq!(Feature::from_key("no_such_feature"), None);
    }

    #[test]
    fn table_then_cli_with_unknown_names_warning() {
        let table = BTreeMap::from([
            ("responses_websockets".to_string(), true),
            ("shell_tool".to_string(), false),
            ("warp_drive".to_string(), true),
        ]);
        let mut warnings = Vec::new();
        let features = Features::resolve(
            &table,
            &["unified_exec".to_string(), "bogus".to_string()],
            &["responses_websockets".to_string()],
            Path::new("/x/config.toml"),
            &mut warnings,
        );

        let mut expected = Features::default();
        expected.set(Feature::ShellTool, false);
        expected.set(Feature::UnifiedExec, true);
        assert_eq!(features, expected);
        assert_eq!(
            warnings
                .iter()
                .map(|w| (w.summary.as_str(), w.path.clone()))
                .collect::<Vec<_>>(),
            vec![
                (
                    "unknown feature `warp_drive` in [features] was ignored",
                    Some(Path::new("/x/config.toml").to_path_buf())
                ),
                (
                    "unknown feature `bogus` on the command line was ignored",
                    None
                ),
            ]
        );
    }
}
