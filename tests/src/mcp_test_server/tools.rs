//! What each tool of `mcp_test_server` does when called: its arguments read from the call, its result, and
//! the requests and notifications it sends the client on the way (progress, elicitation).

use std::time::Duration;

use rmcp::ErrorData;
use rmcp::model::CallToolResult;
use rmcp::model::Content;
use rmcp::model::CreateElicitationRequestParams;
use rmcp::model::ElicitationSchema;
use rmcp::model::JsonObject;
use rmcp::model::ProgressNotificationParam;
use rmcp::service::ElicitationMode;
use rmcp::service::RequestContext;
use rmcp::service::RoleServer;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Number;
use serde_json::Value;
use serde_json::json;

use super::EXIT_STATUS;
use super::PNG_BASE64;
use super::catalog;

/// The largest text `huge` makes (256 MiB): a typo in a test should not exhaust the machine's memory.
const HUGE_LIMIT: usize = 256 << 20;

/// The pause between two progress notifications.
const PROGRESS_PAUSE: Duration = Duration::from_millis(20);

#[derive(Deserialize)]
struct Text {
    text: String,
}

#[derive(Deserialize)]
struct Terms {
    a: Number,
    b: Number,
}

#[derive(Deserialize)]
struct Steps {
    steps: u64,
}

#[derive(Deserialize)]
struct Millis {
    ms: u64,
}

#[derive(Deserialize)]
struct Bytes {
    bytes: usize,
}

#[derive(Deserialize)]
struct Name {
    name: String,
}

#[derive(Deserialize)]
struct Message {
    message: String,
}

#[derive(Deserialize)]
struct Key {
    key: String,
}

/// Runs the tool called `name` (one the server offers) with `arguments`.
pub(super) async fn call(
    name: &str,
    arguments: JsonObject,
    context: RequestContext<RoleServer>,
) -> Result<CallToolResult, ErrorData> {
    match name {
        catalog::ECHO => {
            let Text { text } = parse(arguments)?;
            Ok(text_result(format!("echo: {text}")))
        }
        catalog::ADD => add(parse(arguments)?),
        catalog::IMAGE => Ok(CallToolResult::success(vec![
            Content::image(PNG_BASE64, "image/png"),
            Content::text("an image"),
        ])),
        catalog::PROGRESS => progress(parse(arguments)?, &context).await,
        catalog::SLOW => slow(parse(arguments)?, &context).await,
        catalog::CRASH => {
            eprintln!("mcp_test_server: crashing on purpose (tool `crash`)");
            std::process::exit(i32::from(EXIT_STATUS))
        }
        catalog::HUGE => huge(parse(arguments)?),
        catalog::FAIL => Ok(CallToolResult::error(vec![Content::text(
            "the tool failed on purpose",
        )])),
        catalog::ENV => {
            let Name { name } = parse(arguments)?;
            let value = std::env::var_os(&name).map_or_else(
                || "<unset>".to_string(),
                |value| value.to_string_lossy().into_owned(),
            );
            Ok(text_result(value))
        }
        catalog::CWD => {
            let cwd = std::env::current_dir().map_err(|error| {
                ErrorData::internal_error(format!("current directory: {error}"), None)
            })?;
            Ok(text_result(cwd.display().to_string()))
        }
        catalog::ELICIT => elicit(parse(arguments)?, &context).await,
        catalog::DELETE_EVERYTHING => Ok(text_result("deleted nothing (test)")),
        catalog::READ_ONLY_LOOKUP => {
            let Key { key } = parse(arguments)?;
            Ok(text_result(format!("value of {key}")))
        }
        catalog::WEIRD_TOOL_NAME => Ok(text_result("weird")),
        catalog::LONG_TOOL_NAME => Ok(text_result("long")),
        catalog::LOOSE_SCHEMA => Ok(text_result(Value::Object(arguments).to_string())),
        _ => Err(ErrorData::invalid_params(
            format!("no tool named {name:?}"),
            None,
        )),
    }
}

/// The tool's arguments as `T`; an invalid-params error naming what is wrong otherwise.
fn parse<T: DeserializeOwned>(arguments: JsonObject) -> Result<T, ErrorData> {
    serde_json::from_value(Value::Object(arguments))
        .map_err(|error| ErrorData::invalid_params(format!("invalid arguments: {error}"), None))
}

fn text_result(text: impl Into<String>) -> CallToolResult {
    CallToolResult::success(vec![Content::text(text)])
}

/// An integer sum when both terms are integers (`2 + 3` is `5`), a float sum otherwise (`1.5 + 2.5` is
/// `4.0`); the text is the sum as JSON writes it.
fn add(Terms { a, b }: Terms) -> Result<CallToolResult, ErrorData> {
    let integer_sum = a
        .as_i64()
        .zip(b.as_i64())
        .and_then(|(a, b)| a.checked_add(b));
    let sum = match integer_sum {
        Some(sum) => Number::from(sum),
        None => {
            let float_sum = a.as_f64().unwrap_or(f64::NAN) + b.as_f64().unwrap_or(f64::NAN);
            Number::from_f64(float_sum)
                .ok_or_else(|| ErrorData::invalid_params("the sum is not a finite number", None))?
        }
    };
    Ok(CallToolResult {
        content: vec![Content::text(sum.to_string())],
        structured_content: Some(json!({"sum": sum})),
        is_error: Some(false),
        meta: None,
    })
}

/// Reports each step to the request's progress token, when the client sent one.
async fn progress(
    Steps { steps }: Steps,
    context: &RequestContext<RoleServer>,
) -> Result<CallToolResult, ErrorData> {
    let token = context.meta.get_progress_token();
    for step in 1..=steps {
        if step > 1 {
            tokio::time::sleep(PROGRESS_PAUSE).await;
        }
        let Some(token) = &token else { continue };
        #[allow(clippy::cast_precision_loss)] // Step counts are far below 2^53.
        let notification = ProgressNotificationParam {
            progress_token: token.clone(),
            progress: step as f64,
            total: Some(steps as f64),
            message: Some(format!("step {step} of {steps}")),
        };
        context
            .peer
            .notify_progress(notification)
            .await
            .map_err(|error| {
                ErrorData::internal_error(format!("notify progress: {error}"), None)
            })?;
    }
    Ok(text_result(format!("done after {steps} steps")))
}

/// Sleeps, or stops early with an error when the client cancels the call.
async fn slow(
    Millis { ms }: Millis,
    context: &RequestContext<RoleServer>,
) -> Result<CallToolResult, ErrorData> {
    tokio::select! {
        () = tokio::time::sleep(Duration::from_millis(ms)) => Ok(text_result(format!("slept {ms} ms"))),
        () = context.ct.cancelled() => Err(ErrorData::internal_error("cancelled by the client", None)),
    }
}

fn huge(Bytes { bytes }: Bytes) -> Result<CallToolResult, ErrorData> {
    if bytes > HUGE_LIMIT {
        return Err(ErrorData::invalid_params(
            format!("bytes is over the limit of {HUGE_LIMIT}"),
            None,
        ));
    }
    Ok(text_result("x".repeat(bytes)))
}

/// Asks for a name in form mode and reports the client's answer.
async fn elicit(
    Message { message }: Message,
    context: &RequestContext<RoleServer>,
) -> Result<CallToolResult, ErrorData> {
    if !context
        .peer
        .supported_elicitation_modes()
        .contains(&ElicitationMode::Form)
    {
        return Ok(CallToolResult::error(vec![Content::text(
            "client does not support elicitation",
        )]));
    }
    let request = CreateElicitationRequestParams::FormElicitationParams {
        meta: None,
        message,
        requested_schema: name_form()?,
    };
    let answer = match context.peer.create_elicitation(request).await {
        Ok(answer) => answer,
        Err(error) => {
            return Ok(CallToolResult::error(vec![Content::text(format!(
                "elicitation failed: {error}"
            ))]));
        }
    };
    let action = serde_json::to_value(&answer.action)
        .ok()
        .and_then(|action| action.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{:?}", answer.action));
    let content = answer.content.unwrap_or(Value::Null);
    Ok(text_result(format!("action={action} content={content}")))
}

/// `{type: object, properties: {name: {type: string, title: "Name"}}, required: [name]}`.
fn name_form() -> Result<ElicitationSchema, ErrorData> {
    let schema = json!({
        "type": "object",
        "properties": {"name": {"type": "string", "title": "Name"}},
        "required": ["name"],
    });
    serde_json::from_value(schema).map_err(|error| {
        ErrorData::internal_error(format!("the elicitation schema: {error}"), None)
    })
}
