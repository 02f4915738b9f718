use pretty_assertions::assert_eq;
use serde_json::json;

use super::*;

#[test]
fn a_result_has_upstreams_snake_case_fields() {
    // As upstream 0.171 answered for `main` under a root holding `src/main.rs`.
    let recorded = json!({
        "root": "/work/tree", "path": "src/main.rs", "match_type": "file", "file_name": "main.rs",
        "score": 65645, "indices": [4, 5, 6, 7]
    });
    let result: FuzzyFileSearchResult = serde_json::from_value(recorded.clone()).expect("decodes");
    assert_eq!(result.match_type, FuzzyFileSearchMatchType::File);
    assert_eq!(serde_json::to_value(&result).expect("encodes"), recorded);
}

#[test]
fn params_take_an_optional_cancellation_token() {
    let params: FuzzyFileSearchParams =
        serde_json::from_value(json!({"query": "main", "roots": ["/r"]})).expect("decodes");
    assert_eq!(params.cancellation_token, None);
    let params: FuzzyFileSearchParams =
        serde_json::from_value(json!({"query": "main", "roots": ["/r"], "cancellationToken": "t"}))
            .expect("decodes");
    assert_eq!(params.cancellation_token.as_deref(), Some("t"));
}

#[test]
fn only_the_session_methods_are_experimental() {
    use crate::protocol::common::ClientRequest;
    let request = |method: &str, params: serde_json::Value| -> ClientRequest {
        serde_json::from_value(json!({"id": 1, "method": method, "params": params}))
            .expect("decodes")
    };
    let search = request("fuzzyFileSearch", json!({"query": "q", "roots": []}));
    assert_eq!(search.experimental_reason(), None);
    for (method, params) in [
        (
            "fuzzyFileSearch/sessionStart",
            json!({"sessionId": "s", "roots": []}),
        ),
        (
            "fuzzyFileSearch/sessionUpdate",
            json!({"sessionId": "s", "query": "q"}),
        ),
        ("fuzzyFileSearch/sessionStop", json!({"sessionId": "s"})),
    ] {
        assert_eq!(
            request(method, params).experimental_reason().as_deref(),
            Some(method)
        );
    }
}
