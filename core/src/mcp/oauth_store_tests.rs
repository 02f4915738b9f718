//! Tests of the MCP OAuth credentials file: upstream's keys and entries, other entries kept, mode 0600, expiry,
//! and the refresh against the login tests' mock authorization server.

use pretty_assertions::assert_eq;
use serde_json::json;

use super::*;
use crate::mcp::oauth_login::tests::MockOauthServer;
use crate::mcp::oauth_login::tests::form_fields;

const URL: &str = "http://127.0.0.1:18001/mcp";

fn write_file(codex_home: &Path, value: &Value) {
    std::fs::write(
        codex_home.join(CREDENTIALS_FILE),
        serde_json::to_vec(value).unwrap(),
    )
    .unwrap();
}

fn read_file(codex_home: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(codex_home.join(CREDENTIALS_FILE)).unwrap())
        .unwrap()
}

/// The entry upstream wrote for server `oa` at `URL`.
fn upstream_entry() -> Value {
    json!({
        "server_name": "oa",
        "server_url": URL,
        "issuer": "http://127.0.0.1:18001",
        "client_id": "cid123",
        "access_token": "at123",
        "expires_at": 1796462789314_u64,
        "refresh_token": "rt123",
        "scopes": ["read"],
    })
}

fn tokens(server_url: &str, issuer: &str, expires_at: Option<u64>) -> StoredOauthTokens {
    StoredOauthTokens {
        server_name: "oa".to_string(),
        server_url: server_url.to_string(),
        issuer: Some(issuer.to_string()),
        client_id: "cid123".to_string(),
        access_token: "at123".to_string(),
        expires_at,
        refresh_token: Some("rt123".to_string()),
        scopes: vec!["read".to_string()],
        other: Map::new(),
    }
}

#[test]
fn the_key_is_upstreams() {
    assert_eq!(credentials_key("oa", URL), "oa|96d0e162e258278a");
}

#[test]
fn upstreams_entry_is_read_and_written_back_unchanged() {
    let home = tempfile::tempdir().unwrap();
    let mut entry = upstream_entry();
    entry["added_later"] = json!({"kept": true});
    write_file(home.path(), &json!({ "oa|96d0e162e258278a": entry }));

    let loaded = load_credentials(home.path(), "oa", URL).unwrap();
    assert_eq!(loaded.expires_at, Some(1796462789314));
    save_credentials(home.path(), &loaded).unwrap();

    assert_eq!(
        read_file(home.path()),
        json!({ "oa|96d0e162e258278a": entry })
    );
}

#[test]
fn saving_keeps_other_entries_and_is_owner_only() {
    let home = tempfile::tempdir().unwrap();
    let other = json!({"server_name": "other", "server_url": "https://other.example/mcp"});
    write_file(
        home.path(),
        &json!({
            "other|0123456789abcdef": other,
            "oa|96d0e162e258278a": {"server_name": "oa", "access_token": "old"},
        }),
    );

    save_credentials(
        home.path(),
        &tokens(URL, "http://127.0.0.1:18001", Some(1796462789314)),
    )
    .unwrap();

    assert_eq!(
        read_file(home.path()),
        json!({
            "other|0123456789abcdef": other,
            "oa|96d0e162e258278a": upstream_entry(),
        })
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(home.path().join(CREDENTIALS_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn an_expired_token_is_not_returned() {
    let home = tempfile::tempdir().unwrap();
    save_credentials(home.path(), &tokens(URL, "http://as", Some(now_ms() - 1))).unwrap();

    assert_eq!(stored_access_token(home.path(), "oa", URL), None);
    assert!(has_stored_credentials(home.path(), "oa", URL));
}

#[test]
fn an_unexpired_token_or_one_without_expiry_is_returned() {
    let home = tempfile::tempdir().unwrap();
    save_credentials(
        home.path(),
        &tokens(URL, "http://as", Some(now_ms() + 600_000)),
    )
    .unwrap();
    assert_eq!(
        stored_access_token(home.path(), "oa", URL),
        Some("at123".to_string())
    );

    save_credentials(home.path(), &tokens(URL, "http://as", None)).unwrap();
    assert_eq!(
        stored_access_token(home.path(), "oa", URL),
        Some("at123".to_string())
    );
    assert_eq!(stored_access_token(home.path(), "other", URL), None);
    assert!(!has_stored_credentials(
        home.path(),
        "oa",
        "http://elsewhere/mcp"
    ));
}

#[test]
fn a_file_that_is_not_an_object_is_not_overwritten() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join(CREDENTIALS_FILE), "[1, 2").unwrap();

    assert!(save_credentials(home.path(), &tokens(URL, "http://as", None)).is_err());
    assert_eq!(
        std::fs::read_to_string(home.path().join(CREDENTIALS_FILE)).unwrap(),
        "[1, 2"
    );
    assert_eq!(stored_access_token(home.path(), "oa", URL), None);
}

#[tokio::test]
async fn an_expired_token_is_refreshed_and_saved() {
    let mock = MockOauthServer::start(true).await;
    let home = tempfile::tempdir().unwrap();
    let url = mock.mcp_url();
    save_credentials(home.path(), &tokens(&url, &mock.base, Some(now_ms() - 1))).unwrap();
    let before_ms = now_ms();

    let token = fresh_access_token(home.path(), "oa", &url, &reqwest::Client::new()).await;

    let after_ms = now_ms();
    assert_eq!(token, Some("at456".to_string()));
    assert_eq!(
        mock.requests(),
        vec!["GET /.well-known/oauth-authorization-server", "POST /token"]
    );
    let form = form_fields(&mock.body_of("POST /token"));
    assert_eq!(
        form.into_iter().collect::<Vec<_>>(),
        vec![
            ("client_id".to_string(), "cid123".to_string()),
            ("grant_type".to_string(), "refresh_token".to_string()),
            ("refresh_token".to_string(), "rt123".to_string()),
        ]
    );
    let stored = load_credentials(home.path(), "oa", &url).unwrap();
    let expires_at = stored.expires_at.unwrap();
    assert!((before_ms + 3_600_000..=after_ms + 3_600_000).contains(&expires_at));
    let mut expected = tokens(&url, &mock.base, Some(expires_at));
    expected.access_token = "at456".to_string();
    expected.refresh_token = Some("rt456".to_string());
    assert!(
        stored == expected,
        "the stored entry is not the refreshed one"
    );
    assert_eq!(
        stored_access_token(home.path(), "oa", &url),
        Some("at456".to_string())
    );
}

#[tokio::test]
async fn a_token_valid_for_more_than_a_minute_is_not_refreshed() {
    let mock = MockOauthServer::start(true).await;
    let home = tempfile::tempdir().unwrap();
    let url = mock.mcp_url();
    save_credentials(
        home.path(),
        &tokens(&url, &mock.base, Some(now_ms() + 120_000)),
    )
    .unwrap();

    let token = fresh_access_token(home.path(), "oa", &url, &reqwest::Client::new()).await;

    assert_eq!(token, Some("at123".to_string()));
    assert_eq!(mock.requests(), Vec::<String>::new());
}

#[tokio::test]
async fn a_failed_refresh_gives_no_token_and_keeps_the_entry() {
    let mock = MockOauthServer::start(true).await;
    let home = tempfile::tempdir().unwrap();
    let url = mock.mcp_url();
    let mut expired = tokens(&url, &mock.base, Some(now_ms() - 1));
    expired.refresh_token = Some("revoked".to_string());
    save_credentials(home.path(), &expired).unwrap();
    let before = read_file(home.path());

    let token = fresh_access_token(home.path(), "oa", &url, &reqwest::Client::new()).await;

    assert_eq!(token, None);
    assert!(mock.requests().contains(&"POST /token".to_string()));
    assert_eq!(read_file(home.path()), before);
}
