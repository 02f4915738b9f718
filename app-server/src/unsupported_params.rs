//! Refusals for request fields a client of either upstream generation may send but this server does not
//! implement: each is a -32602 error naming the method and the field, never a silent drop.

use crate::error::RequestError;

/// The error for `field` of `method` set to a value this server cannot honour.
pub fn unsupported(method: &str, field: &str, why: &str) -> RequestError {
    RequestError::InvalidParams(format!(
        "{method}: `{field}` is not supported by this server ({why})"
    ))
}

/// Refuses `field` when it is present (not null).
pub fn refuse_if_set<T>(
    method: &str,
    field: &str,
    value: &Option<T>,
    why: &str,
) -> Result<(), RequestError> {
    match value {
        Some(_) => Err(unsupported(method, field, why)),
        None => Ok(()),
    }
}

/// Refuses `field` when `set` (a flag turned on, a non-empty list).
pub fn refuse_if(method: &str, field: &str, set: bool, why: &str) -> Result<(), RequestError> {
    if set {
        Err(unsupported(method, field, why))
    } else {
        Ok(())
    }
}

/// Refuses an approvals reviewer other than the user: no automatic reviewer is served.
pub fn require_user_reviewer(
    method: &str,
    reviewer: Option<codex_app_server_protocol::ApprovalsReviewer>,
) -> Result<(), RequestError> {
    use codex_app_server_protocol::ApprovalsReviewer;
    match reviewer {
        None | Some(ApprovalsReviewer::User) => Ok(()),
        Some(ApprovalsReviewer::AutoReview | ApprovalsReviewer::GuardianSubagent) => {
            Err(unsupported(
                method,
                "approvalsReviewer",
                "approval requests always go to the user",
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn a_refusal_names_the_method_and_the_field() {
        let error = refuse_if_set("turn/start", "toolOutput", &Some(1), "no tool outputs")
            .expect_err("refused");
        assert_eq!(
            error.to_string(),
            "Invalid params: turn/start: `toolOutput` is not supported by this server (no tool outputs)"
        );
        assert!(refuse_if_set::<u8>("turn/start", "toolOutput", &None, "").is_ok());
        assert!(
            require_user_reviewer(
                "thread/start",
                Some(codex_app_server_protocol::ApprovalsReviewer::User)
            )
            .is_ok()
        );
    }
}
