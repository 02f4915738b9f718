//! The early `ResponseEvent`s a response's headers carry (HTTP response headers or a websocket's 101
//! answer): server model, models etag, reasoning-included and rate-limit snapshots.

use reqwest::header::HeaderMap;

use crate::client::rate_limit_headers::parse_rate_limit_updates;
use crate::client::response_event::ResponseEvent;

/// The events of one set of response headers, split because websockets replay `metadata` on every
/// response but report `rate_limits` once.
pub(crate) struct ResponseHeaderEvents {
    pub(crate) metadata: Vec<ResponseEvent>,
    pub(crate) rate_limits: Vec<ResponseEvent>,
}

pub(crate) fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)?
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|value| !value.is_empty())
}

pub(crate) fn response_header_events(headers: &HeaderMap) -> ResponseHeaderEvents {
    let mut metadata = Vec::new();
    if let Some(model) = header_text(headers, "openai-model") {
        metadata.push(ResponseEvent::ServerModel(model.to_string()));
    }
    if let Some(etag) = header_text(headers, "x-models-etag") {
        metadata.push(ResponseEvent::ModelsEtag(etag.to_string()));
    }
    if headers.contains_key("x-reasoning-included") {
        metadata.push(ResponseEvent::ServerReasoningIncluded(true));
    }
    let snapshots = parse_rate_limit_updates(headers);
    // Without any rate-limit header the parser still yields an empty `codex` snapshot; reporting it
    // would tell the UI every limit is unknown.
    let has_rate_limits = snapshots.iter().any(|snapshot| {
        snapshot.primary.is_some() || snapshot.secondary.is_some() || snapshot.credits.is_some()
    });
    let rate_limits = if has_rate_limits {
        snapshots
            .into_iter()
            .map(ResponseEvent::RateLimits)
            .collect()
    } else {
        Vec::new()
    };
    ResponseHeaderEvents {
        metadata,
        rate_limits,
    }
}
