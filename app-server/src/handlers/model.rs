//! `model/list`: the live model catalog (built-in plus config's, replaced by the provider's list when its
//! `x-models-etag` changes) as wire `Model`s, hidden ones on request, paginated by an offset cursor.

use codex_app_server_protocol::InputModality;
use codex_app_server_protocol::Model;
use codex_app_server_protocol::ModelListParams;
use codex_app_server_protocol::ModelListResponse;
use codex_app_server_protocol::ReasoningEffort;
use codex_app_server_protocol::ReasoningEffortOption;
use codex_core::model::catalog;
use codex_core::model::info::ModelInfo;
use codex_core::model::info::ReasoningEffort as CoreReasoningEffort;

use crate::error::RequestError;
use crate::handlers::Answer;
use crate::handlers::RequestContext;

/// `model/list`: one page of the model catalog.
pub async fn list(
    context: RequestContext,
    params: ModelListParams,
) -> Result<Answer<ModelListResponse>, RequestError> {
    if let Some(provider) = &params.model_provider {
        let configured = context
            .engine
            .threads
            .default_model_provider_id()
            .map_err(crate::handlers::thread::thread_error)?;
        if *provider != configured {
            return Err(crate::unsupported_params::unsupported(
                "model/list",
                "modelProvider",
                &format!("only the configured provider `{configured}` is listed"),
            ));
        }
    }
    let catalog = context.engine.threads.models().catalog();
    let page = model_list_page(catalog, catalog::default_model(), params)?;
    Ok(Answer::new(page))
}

/// One page of `catalog`. The cursor is the decimal offset of the page's first model; `limit` defaults to
/// everything left.
fn model_list_page(
    catalog: Vec<ModelInfo>,
    default_slug: &str,
    params: ModelListParams,
) -> Result<ModelListResponse, RequestError> {
    let include_hidden = params.include_hidden.unwrap_or(false);
    let visible: Vec<ModelInfo> = catalog
        .into_iter()
        .filter(|model| include_hidden || !model.hidden)
        .collect();
    let start = match params.cursor {
        None => 0,
        Some(cursor) => cursor
            .parse::<usize>()
            .ok()
            .filter(|offset| *offset <= visible.len())
            .ok_or_else(|| RequestError::InvalidParams(format!("invalid cursor '{cursor}'")))?,
    };
    let limit = params.limit.map_or(visible.len(), |limit| {
        usize::try_from(limit.max(1)).unwrap_or(usize::MAX)
    });
    let end = start.saturating_add(limit).min(visible.len());
    let next_cursor = (end < visible.len()).then(|| end.to_string());
    let data = visible
        .into_iter()
        .skip(start)
        .take(end - start)
        .map(|model| {
            let wire_effort = |effort: CoreReasoningEffort| match effort {
                CoreReasoningEffort::None => ReasoningEffort::None,
                CoreReasoningEffort::Minimal => ReasoningEffort::Minimal,
                CoreReasoningEffort::Low => ReasoningEffort::Low,
                CoreReasoningEffort::Medium => ReasoningEffort::Medium,
                CoreReasoningEffort::High => ReasoningEffort::High,
                CoreReasoningEffort::Xhigh => ReasoningEffort::XHigh,
            };
            let input_modalities = model
                .input_modalities
                .iter()
                .filter_map(|modality| match modality.as_str() {
                    "text" => Some(InputModality::Text),
                    "image" => Some(InputModality::Image),
                    other => {
                        tracing::debug!(
                            "model {} lists unknown input modality {other}",
                            model.slug
                        );
                        None
                    }
                })
                .collect();
            Model {
                id: model.slug.clone(),
                is_default: model.slug == default_slug,
                model: model.slug,
                upgrade: model.upgrade,
                display_name: model.display_name,
                description: model.description,
                hidden: model.hidden,
                supported_reasoning_efforts: model
                    .supported_reasoning_levels
                    .into_iter()
                    .map(|preset| ReasoningEffortOption {
                        reasoning_effort: wire_effort(preset.effort),
                        description: preset.description,
                    })
                    .collect(),
                default_reasoning_effort: wire_effort(
                    model
                        .default_reasoning_level
                        .unwrap_or(CoreReasoningEffort::Medium),
                ),
                input_modalities,
                supports_personality: model.supports_personality,
            }
        })
        .collect();
    Ok(ModelListResponse { data, next_cursor })
}

#[cfg(test)]
mod tests {
    use super::*;
    use codex_core::model::info::ReasoningEffortPreset;
    use pretty_assertions::assert_eq;

    fn catalog() -> Vec<ModelInfo> {
        ["a", "b", "secret", "c"]
            .into_iter()
            .map(|slug| ModelInfo {
                hidden: slug == "secret",
                supported_reasoning_levels: vec![ReasoningEffortPreset {
                    effort: CoreReasoningEffort::Xhigh,
                    description: "deep".to_string(),
                }],
                default_reasoning_level: Some(CoreReasoningEffort::Low),
                ..catalog::fallback(slug)
            })
            .collect()
    }

    fn slugs(page: &ModelListResponse) -> Vec<&str> {
        page.data.iter().map(|model| model.id.as_str()).collect()
    }

    #[test]
    fn pages_follow_the_cursor_and_skip_hidden_models() {
        let first = model_list_page(
            catalog(),
            "b",
            ModelListParams {
                cursor: None,
                limit: Some(2),
                include_hidden: None,
                model_provider: None,
            },
        )
        .expect("first page");
        assert_eq!(
            (slugs(&first), first.next_cursor.clone()),
            (vec!["a", "b"], Some("2".to_string()))
        );
        let second = model_list_page(
            catalog(),
            "b",
            ModelListParams {
                cursor: first.next_cursor,
                limit: Some(2),
                include_hidden: None,
                model_provider: None,
            },
        )
        .expect("second page");
        assert_eq!(
            (slugs(&second), second.next_cursor.clone()),
            (vec!["c"], None)
        );
    }

    #[test]
    fn include_hidden_lists_everything_in_one_page_without_limit() {
        let page = model_list_page(
            catalog(),
            "b",
            ModelListParams {
                cursor: None,
                limit: None,
                include_hidden: Some(true),
                model_provider: None,
            },
        )
        .expect("page");
        assert_eq!(
            (slugs(&page), page.next_cursor.clone()),
            (vec!["a", "b", "secret", "c"], None)
        );
    }

    #[test]
    fn a_model_maps_field_by_field() {
        let page = model_list_page(
            catalog(),
            "b",
            ModelListParams {
                cursor: Some("1".to_string()),
                limit: Some(1),
                include_hidden: None,
                model_provider: None,
            },
        )
        .expect("page");
        assert_eq!(
            page.data,
            vec![Model {
                id: "b".to_string(),
                model: "b".to_string(),
                upgrade: None,
                display_name: "b".to_string(),
                description: String::new(),
                hidden: false,
                supported_reasoning_efforts: vec![ReasoningEffortOption {
                    reasoning_effort: ReasoningEffort::XHigh,
                    description: "deep".to_string(),
                }],
                default_reasoning_effort: ReasoningEffort::Low,
                input_modalities: vec![InputModality::Text],
                supports_personality: false,
                is_default: true,
            }]
        );
    }

    #[test]
    fn a_cursor_that_is_not_an_offset_is_invalid_params() {
        let error = model_list_page(
            catalog(),
            "b",
            ModelListParams {
                cursor: Some("zzz".to_string()),
                limit: None,
                include_hidden: None,
                model_provider: None,
            },
        )
        .expect_err("bad cursor");
        assert_eq!(
            error,
            RequestError::InvalidParams("invalid cursor 'zzz'".to_string())
        );
    }
}
