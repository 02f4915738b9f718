//! What a failed network exchange tells the user and the logs: the error with its whole cause chain (a DNS
//! failure, a refused connection, a timeout are all in the sources, not in reqwest's "error sending
//! request") and the host:port it was going to. Never the path or the query, which may carry credentials.

use std::error::Error;

/// `error` and each of its sources, joined by `": "`; a source whose text the chain already holds (some
/// errors print their source themselves) is left out.
pub fn error_chain(error: &dyn Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// A reqwest failure as `"<what failed> for <host:port>: <causes>"`, e.g. `error sending request for
/// 127.0.0.1:9: client error (Connect): tcp connect error: Connection refused (os error 111)`.
pub fn describe_http_error(error: reqwest::Error) -> String {
    let target = error.url().and_then(host_and_port);
    let error = error.without_url();
    let what = error.to_string();
    let causes = error
        .source()
        .map(|source| format!(": {}", error_chain(source)))
        .unwrap_or_default();
    match target {
        Some(target) => format!("{what} for {target}{causes}"),
        None => format!("{what}{causes}"),
    }
}

/// `host:port` of `url` (the scheme's port when none is written).
pub fn host_and_port(url: &reqwest::Url) -> Option<String> {
    let host = url.host_str()?;
    let port = url.port_or_known_default()?;
    Some(format!("{host}:{port}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[derive(Debug, thiserror::Error)]
    enum Layer {
        #[error("outer")]
        Outer(#[source] Box<Layer>),
        #[error("middle: {0}")]
        RepeatsItsSource(#[source] std::io::Error),
    }

    #[test]
    fn the_chain_names_every_cause_once() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let error = Layer::Outer(Box::new(Layer::RepeatsItsSource(io)));
        assert_eq!(error_chain(&error), "outer: middle: refused");
    }

    #[test]
    fn host_and_port_leaves_out_path_query_and_user() {
        let url = reqwest::Url::parse("https://user:secret@api.example.com/v1/responses?key=sk-1")
            .expect("url");
        assert_eq!(host_and_port(&url), Some("api.example.com:443".to_string()));
        let url = reqwest::Url::parse("http://[::1]:8080/v1").expect("url");
        assert_eq!(host_and_port(&url), Some("[::1]:8080".to_string()));
    }

    #[tokio::test]
    async fn a_refused_connection_names_its_cause_and_target() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("address").port();
        drop(listener);
        let error = reqwest::Client::new()
            .get(format!(
                "http://127.0.0.1:{port}/v1/responses?key=sk-secret"
            ))
            .send()
            .await
            .expect_err("nothing listens there");
        let text = describe_http_error(error);
        assert!(
            text.starts_with(&format!("error sending request for 127.0.0.1:{port}: ")),
            "{text}"
        );
        assert!(text.to_lowercase().contains("connection refused"), "{text}");
        assert!(
            !text.contains("sk-secret") && !text.contains("/v1"),
            "{text}"
        );
    }
}
