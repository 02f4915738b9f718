//! Our wire checked against upstream's generated JSON Schema (draft-07, see [`crate::upstream`]): every
//! message of a session transcript (what the daemon wrote and what the test wrote as a client) against the
//! schema of its kind in one upstream version, each violation reported with its JSON pointer.
//!
//! Notifications, server requests, client requests and client notifications are checked against the
//! variant of `ServerNotification.json`, `ServerRequest.json`, `ClientRequest.json` or
//! `ClientNotification.json` that their `method` selects (so an error names the field, not "matches none of
//! 90 alternatives"); results against the method's response schema ([`client_response_schema`]); errors
//! against `JSONRPCError.json`. Schemas are compiled once per process, on first use.

use std::collections::BTreeMap;
use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::OnceLock;

use anyhow::Context;
use anyhow::anyhow;
use jsonschema::ValidationError;
use jsonschema::Validator;
use jsonschema::error::ValidationErrorKind;
use serde_json::Value;
use serde_json::json;

use crate::app_server::Transcribed;
use crate::upstream::upstream_experimental_json_schema;
use crate::upstream::upstream_json_schema;

#[path = "upstream_schema_tables.rs"]
mod tables;
pub use tables::*;

/// The response schema file (relative to the schema directory) of client request `method` in `version`:
/// `Ok(None)` when the method does not exist in that version, an error when the table lacks it.
pub fn client_response_schema(method: &str, version: &str) -> anyhow::Result<Option<&'static str>> {
    let (_, file, absent_from) = CLIENT_RESPONSES
        .iter()
        .find(|(name, _, _)| *name == method)
        .ok_or_else(|| anyhow!("no upstream response schema known for `{method}`"))?;
    Ok((!absent_from.contains(&version)).then_some(*file))
}

/// One violation of an upstream schema by one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    pub version: String,
    /// What the message is, e.g. `notification item/started`, `response to thread/start`.
    pub kind: String,
    /// Where in the message (a JSON pointer from the message's root).
    pub pointer: String,
    pub message: String,
}

impl SchemaError {
    /// The pointer with array indexes as `*`, to group the same violation across messages.
    pub fn pointer_pattern(&self) -> String {
        self.pointer
            .split('/')
            .map(|segment| {
                if !segment.is_empty() && segment.bytes().all(|byte| byte.is_ascii_digit()) {
                    "*"
                } else {
                    segment
                }
            })
            .collect::<Vec<_>>()
            .join("/")
    }
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pointer = if self.pointer.is_empty() {
            "(root)"
        } else {
            &self.pointer
        };
        write!(
            f,
            "[{}] {} at {pointer}: {}",
            self.version, self.kind, self.message
        )
    }
}

/// `errors` grouped by version and message kind, one line per pointer (array indexes as `*`) and message
/// with how many messages had it, for a report a person reads.
pub fn grouped_report(errors: &[SchemaError]) -> String {
    let mut groups: BTreeMap<(&str, &str, String, &str), usize> = BTreeMap::new();
    for error in errors {
        let key = (
            error.version.as_str(),
            error.kind.as_str(),
            error.pointer_pattern(),
            error.message.as_str(),
        );
        *groups.entry(key).or_default() += 1;
    }
    let mut report = format!(
        "{} violations of upstream's schema in {} groups\n",
        errors.len(),
        groups.len()
    );
    let mut heading = ("", "");
    for ((version, kind, pointer, message), count) in &groups {
        if heading != (*version, *kind) {
            heading = (version, kind);
            report.push_str(&format!("[{version}] {kind}\n"));
        }
        let pointer = if pointer.is_empty() {
            "(root)"
        } else {
            pointer
        };
        report.push_str(&format!("    {pointer}: {message} ({count}x)\n"));
    }
    report
}

/// Every violation in `transcript` (one session: request ids are matched within it) of upstream `version`.
pub fn validate_transcript(
    version: &str,
    transcript: &[Transcribed],
) -> anyhow::Result<Vec<SchemaError>> {
    let schema = UpstreamSchema::load(version)?;
    let mut session = SessionCheck {
        schema,
        sent_methods: HashMap::new(),
        received_methods: HashMap::new(),
        errors: Vec::new(),
    };
    for entry in transcript {
        match entry {
            Transcribed::Sent(message) => session.sent(message)?,
            Transcribed::Received(message) => session.received(message)?,
        }
    }
    Ok(session.errors)
}

/// The upstream message unions whose variants are selected by `method`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Union {
    ClientRequest,
    ClientNotification,
    ServerRequest,
    ServerNotification,
}

impl Union {
    const ALL: [Union; 4] = [
        Union::ClientRequest,
        Union::ClientNotification,
        Union::ServerRequest,
        Union::ServerNotification,
    ];

    fn file(self) -> &'static str {
        match self {
            Union::ClientRequest => "ClientRequest.json",
            Union::ClientNotification => "ClientNotification.json",
            Union::ServerRequest => "ServerRequest.json",
            Union::ServerNotification => "ServerNotification.json",
        }
    }

    fn kind(self) -> &'static str {
        match self {
            Union::ClientRequest => "client request",
            Union::ClientNotification => "client notification",
            Union::ServerRequest => "server request",
            Union::ServerNotification => "notification",
        }
    }
}

/// One union file: its shared definitions and its variants by method.
struct UnionFile {
    definitions: Value,
    variants: BTreeMap<String, Value>,
}

/// One version's schema directory, with its validators compiled on first use and kept for the process.
pub struct UpstreamSchema {
    version: String,
    dir: PathBuf,
    unions: HashMap<Union, UnionFile>,
    validators: Mutex<HashMap<String, Arc<Validator>>>,
}

impl UpstreamSchema {
    /// `version`'s schema, installed and loaded once per process.
    pub fn load(version: &str) -> anyhow::Result<&'static UpstreamSchema> {
        static LOADED: OnceLock<Mutex<HashMap<String, &'static UpstreamSchema>>> = OnceLock::new();
        let mut loaded = LOADED
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(schema) = loaded.get(version) {
            return Ok(schema);
        }
        let dir = upstream_json_schema(version)?;
        let mut unions = HashMap::new();
        for union in Union::ALL {
            unions.insert(union, load_union(&dir.join(union.file()))?);
        }
        let schema: &'static UpstreamSchema = Box::leak(Box::new(UpstreamSchema {
            version: version.to_string(),
            dir,
            unions,
            validators: Mutex::new(HashMap::new()),
        }));
        loaded.insert(version.to_string(), schema);
        Ok(schema)
    }

    /// The methods `union` defines in this version.
    fn methods(&self, union: Union) -> impl Iterator<Item = &str> {
        self.unions[&union].variants.keys().map(String::as_str)
    }

    /// The validator of `union`'s variant for `method`, or `None` when this version has no such method.
    fn variant(&self, union: Union, method: &str) -> anyhow::Result<Option<Arc<Validator>>> {
        let file = &self.unions[&union];
        let Some(variant) = file.variants.get(method) else {
            return Ok(None);
        };
        let key = format!("{}#{method}", union.file());
        self.compiled(&key, || {
            let mut schema = variant.clone();
            schema["definitions"] = file.definitions.clone();
            Ok(schema)
        })
        .map(Some)
    }

    /// The validator of a whole schema file (relative to the schema directory).
    fn file(&self, relative: &str) -> anyhow::Result<Arc<Validator>> {
        self.compiled(relative, || read_json(&self.dir.join(relative)))
    }

    /// A file of this version's `--experimental` schema.
    fn experimental_file(&self, relative: &str) -> anyhow::Result<Arc<Validator>> {
        self.compiled(&format!("experimental/{relative}"), || {
            read_json(&upstream_experimental_json_schema(&self.version)?.join(relative))
        })
    }

    fn compiled(
        &self,
        key: &str,
        schema: impl FnOnce() -> anyhow::Result<Value>,
    ) -> anyhow::Result<Arc<Validator>> {
        let mut validators = self
            .validators
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(validator) = validators.get(key) {
            return Ok(Arc::clone(validator));
        }
        let validator = jsonschema::draft7::new(&schema()?).map_err(|error| {
            anyhow!(
                "upstream {} schema {key} does not compile: {error}",
                self.version
            )
        })?;
        let validator = Arc::new(validator);
        validators.insert(key.to_string(), Arc::clone(&validator));
        Ok(validator)
    }
}

fn read_json(path: &Path) -> anyhow::Result<Value> {
    let text = std::fs::read_to_string(path).with_context(|| format!("read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parse {}", path.display()))
}

/// Splits a `oneOf` union file into its variants by their `method` enum.
fn load_union(path: &Path) -> anyhow::Result<UnionFile> {
    let root = read_json(path)?;
    let mut variants = BTreeMap::new();
    for variant in root["oneOf"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let method = variant["properties"]["method"]["enum"][0]
            .as_str()
            .with_context(|| format!("a variant of {} has no method: {variant}", path.display()))?;
        variants.insert(method.to_string(), variant.clone());
    }
    let definitions = root.get("definitions").cloned().unwrap_or(json!({}));
    Ok(UnionFile {
        definitions,
        variants,
    })
}

/// The check of one session: which method each request id stands for, and the violations so far.
struct SessionCheck {
    schema: &'static UpstreamSchema,
    /// Our requests' methods by id (their responses come from the daemon).
    sent_methods: HashMap<String, String>,
    /// The daemon's requests' methods by id (their responses come from us).
    received_methods: HashMap<String, String>,
    errors: Vec<SchemaError>,
}

impl SessionCheck {
    fn sent(&mut self, message: &Value) -> anyhow::Result<()> {
        match (message.get("id"), message["method"].as_str()) {
            (Some(id), Some(method)) => {
                self.sent_methods.insert(id.to_string(), method.to_string());
                if self.client_method_exists(method) {
                    self.check_variant(Union::ClientRequest, message)?;
                }
                Ok(())
            }
            (None, Some(_)) => self.check_variant(Union::ClientNotification, message),
            (Some(id), None) => {
                let method = self.received_methods.get(&id.to_string()).cloned();
                if method
                    .as_deref()
                    .is_some_and(|method| self.is_newer_request(method))
                {
                    return Ok(());
                }
                self.check_response(message, method, ServerRequestAnswer)
            }
            (None, None) => {
                self.report_unclassified("client message", message);
                Ok(())
            }
        }
    }

    fn received(&mut self, message: &Value) -> anyhow::Result<()> {
        match (message.get("id"), message["method"].as_str()) {
            (Some(id), Some(method)) => {
                self.received_methods
                    .insert(id.to_string(), method.to_string());
                if self.is_newer_request(method) {
                    return Ok(());
                }
                self.check_variant(Union::ServerRequest, message)
            }
            (None, Some(method)) => {
                let version = self.schema.version.as_str();
                let newer = NOTIFICATIONS_NEWER_THAN
                    .iter()
                    .any(|(name, newer_than)| *name == method && *newer_than == version)
                    || ITEMS_NEWER_THAN.iter().any(|(kind, newer_than)| {
                        *newer_than == version && message["params"]["item"]["type"] == *kind
                    });
                if newer {
                    return Ok(());
                }
                self.check_variant(Union::ServerNotification, message)
            }
            (Some(id), None) => {
                let method = self.sent_methods.get(&id.to_string()).cloned();
                self.check_response(message, method, ClientRequestAnswer)
            }
            (None, None) => {
                self.report_unclassified("server message", message);
                Ok(())
            }
        }
    }

    /// Whether server request `method` is one this version does not define.
    fn is_newer_request(&self, method: &str) -> bool {
        SERVER_REQUESTS_NEWER_THAN
            .iter()
            .any(|(name, newer_than)| *name == method && *newer_than == self.schema.version)
    }

    /// Whether `method` exists in this version: [`CLIENT_RESPONSES`] says so, and a method we do not serve
    /// (e.g. a deliberately unknown one) is checked as upstream would check it.
    fn client_method_exists(&self, method: &str) -> bool {
        !matches!(
            client_response_schema(method, &self.schema.version),
            Ok(None)
        )
    }

    fn report_unclassified(&mut self, kind: &str, message: &Value) {
        let text = format!(
            "neither a request, a notification nor a response: {}",
            abbreviated(message)
        );
        self.report(kind, "", text);
    }

    /// Checks a whole message against `union`'s variant for its method.
    fn check_variant(&mut self, union: Union, message: &Value) -> anyhow::Result<()> {
        let method = message["method"].as_str().unwrap_or_default();
        let kind = format!("{} {method}", union.kind());
        match self.schema.variant(union, method)? {
            Some(validator) => self.check(&kind, &validator, message, ""),
            None => {
                let known = self.schema.methods(union).count();
                self.report(
                    &kind,
                    "/method",
                    format!(
                        "`{method}` is not one of the {known} methods of upstream {}",
                        union.file()
                    ),
                );
            }
        }
        Ok(())
    }

    /// Checks a response (a result or an error) to a request of `method` (`None`: no such request seen).
    fn check_response(
        &mut self,
        message: &Value,
        method: Option<String>,
        answer: impl ResponseSchema,
    ) -> anyhow::Result<()> {
        let method = method.unwrap_or_else(|| "an unknown request".to_string());
        if message.get("error").is_some() {
            let validator = self.schema.file("JSONRPCError.json")?;
            self.check(
                &format!("error response to {method}"),
                &validator,
                message,
                "",
            );
            return Ok(());
        }
        let kind = format!("{} {method}", answer.kind());
        let Some(result) = message.get("result") else {
            self.report(&kind, "", "neither `result` nor `error`".to_string());
            return Ok(());
        };
        let experimental = EXPERIMENTAL_RESPONSES.iter().find(|(name, _, versions)| {
            *name == method && versions.contains(&self.schema.version.as_str())
        });
        if let Some((_, file, _)) = experimental {
            let validator = self.schema.experimental_file(file)?;
            self.check(&kind, &validator, result, "/result");
            return Ok(());
        }
        match answer.schema_file(self.schema, &method)? {
            Some(file) => {
                let validator = self.schema.file(&file)?;
                self.check(&kind, &validator, result, "/result");
            }
            None if answer.may_be_absent(self.schema, &method) => {}
            None => self.report(
                &kind,
                "",
                "no upstream response schema for this method".to_string(),
            ),
        }
        Ok(())
    }

    fn check(&mut self, kind: &str, validator: &Validator, instance: &Value, prefix: &str) {
        let mut found = Vec::new();
        for error in validator.iter_errors(instance) {
            explain(&error, &mut found);
        }
        for (pointer, message) in found {
            self.report(kind, &format!("{prefix}{pointer}"), message);
        }
    }

    fn report(&mut self, kind: &str, pointer: &str, message: String) {
        self.errors.push(SchemaError {
            version: self.schema.version.clone(),
            kind: kind.to_string(),
            pointer: pointer.to_string(),
            message,
        });
    }
}

/// Where the schema of a response's `result` comes from.
trait ResponseSchema {
    fn kind(&self) -> &'static str;
    /// The schema file of the result of `method`'s response, `None` if there is none.
    fn schema_file(&self, schema: &UpstreamSchema, method: &str) -> anyhow::Result<Option<String>>;
    /// Whether having no schema is expected (the method does not exist in this version).
    fn may_be_absent(&self, schema: &UpstreamSchema, method: &str) -> bool;
}

/// The daemon's answer to our request: the method's response schema from [`CLIENT_RESPONSES`].
struct ClientRequestAnswer;

impl ResponseSchema for ClientRequestAnswer {
    fn kind(&self) -> &'static str {
        "response to"
    }

    fn schema_file(&self, schema: &UpstreamSchema, method: &str) -> anyhow::Result<Option<String>> {
        Ok(client_response_schema(method, &schema.version)
            .ok()
            .flatten()
            .map(str::to_string))
    }

    fn may_be_absent(&self, schema: &UpstreamSchema, method: &str) -> bool {
        matches!(client_response_schema(method, &schema.version), Ok(None))
    }
}

/// Our answer to the daemon's request: upstream names it after the request's params
/// (`CommandExecutionRequestApprovalParams` is answered with `CommandExecutionRequestApprovalResponse`).
struct ServerRequestAnswer;

impl ResponseSchema for ServerRequestAnswer {
    fn kind(&self) -> &'static str {
        "our answer to"
    }

    fn schema_file(&self, schema: &UpstreamSchema, method: &str) -> anyhow::Result<Option<String>> {
        let Some(variant) = schema.unions[&Union::ServerRequest].variants.get(method) else {
            return Ok(None);
        };
        let params = variant["properties"]["params"]["$ref"]
            .as_str()
            .and_then(|reference| reference.strip_prefix("#/definitions/"))
            .and_then(|name| name.strip_suffix("Params"))
            .with_context(|| format!("upstream {method} has no named params: {variant}"))?;
        Ok(Some(format!("{params}Response.json")))
    }

    fn may_be_absent(&self, _schema: &UpstreamSchema, _method: &str) -> bool {
        false
    }
}

/// The violations an error stands for, as `(pointer, message)`. A failed `anyOf`/`oneOf` whose instance
/// picks one alternative by shape (its `type`/`method` tag, object vs null) is explained by that
/// alternative's errors; otherwise it is reported whole with each alternative's first complaint.
fn explain(error: &ValidationError<'_>, out: &mut Vec<(String, String)>) {
    let at = error.instance_path().to_string();
    let (ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context }) =
        error.kind()
    else {
        out.push((at, abbreviated_text(&error.to_string())));
        return;
    };
    let chosen: Vec<&Vec<ValidationError<'static>>> = context
        .iter()
        .filter(|branch| shape_matches(branch, &at))
        .collect();
    if let [branch] = chosen.as_slice() {
        for error in branch.iter() {
            explain(error, out);
        }
        return;
    }
    let alternatives: Vec<String> = context
        .iter()
        .filter_map(|branch| branch.first())
        .map(|error| abbreviated_text(&error.to_string()))
        .collect();
    out.push((
        at,
        format!(
            "{} matches none of the {} alternatives: {}",
            abbreviated(error.instance()),
            context.len(),
            alternatives.join(" | ")
        ),
    ));
}

/// Whether an alternative's errors leave the instance's shape right: no wrong type or value of the whole,
/// no wrong `type`/`method` tag.
fn shape_matches(branch: &[ValidationError<'_>], at: &str) -> bool {
    branch.iter().all(|error| {
        let path = error.instance_path().to_string();
        let wrong_value = matches!(
            error.kind(),
            ValidationErrorKind::Type { .. }
                | ValidationErrorKind::Enum { .. }
                | ValidationErrorKind::Constant { .. }
        );
        let tag = path
            .strip_prefix(at)
            .is_some_and(|rest| rest == "/type" || rest == "/method");
        !(wrong_value && (path == at || tag))
    })
}

const MAX_TEXT: usize = 240;

fn abbreviated(value: &Value) -> String {
    abbreviated_text(&value.to_string())
}

fn abbreviated_text(text: &str) -> String {
    if text.len() <= MAX_TEXT {
        return text.to_string();
    }
    let mut end = MAX_TEXT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

#[cfg(test)]
#[path = "upstream_schema_mcp_tests.rs"]
mod mcp_tests;

#[cfg(test)]
mod tests {
    use codex_app_server_protocol::ClientRequest;
    use codex_app_server_protocol::ServerNotification;
    use pretty_assertions::assert_eq;

    use super::*;
    use crate::upstream::UPSTREAM_0_105;
    use crate::upstream::UPSTREAM_0_171;
    use crate::upstream::UPSTREAM_VERSIONS;

    /// Every method we serve has a response schema in both versions, or is marked as absent from a version
    /// whose `ClientRequest.json` indeed lacks it.
    #[test]
    fn every_served_method_has_an_upstream_response_schema() -> anyhow::Result<()> {
        let table: Vec<&str> = CLIENT_RESPONSES
            .iter()
            .map(|(method, _, _)| *method)
            .collect();
        assert_eq!(table, ClientRequest::METHODS.to_vec());
        for version in UPSTREAM_VERSIONS {
            let schema = UpstreamSchema::load(version)?;
            let upstream: Vec<&str> = schema.methods(Union::ClientRequest).collect();
            for method in ClientRequest::METHODS {
                let file = client_response_schema(method, version)?;
                assert_eq!(
                    upstream.contains(method),
                    file.is_some(),
                    "{method} in {version}"
                );
                if let Some(file) = file {
                    assert!(schema.dir.join(file).is_file(), "{version} lacks {file}");
                }
            }
        }
        Ok(())
    }

    /// Experimental methods' answers are checked against upstream's `--experimental` schema, which has
    /// them: a wrong shape is reported.
    #[test]
    fn experimental_answers_are_checked_against_the_experimental_schema() -> anyhow::Result<()> {
        let exchange = |result: Value| {
            [
                Transcribed::Sent(
                    json!({"id": 1, "method": "thread/backgroundTerminals/terminate",
                    "params": {"threadId": "t", "processId": "1000"}}),
                ),
                Transcribed::Received(json!({"id": 1, "result": result})),
            ]
        };
        for (method, file, versions) in EXPERIMENTAL_RESPONSES {
            assert!(ClientRequest::METHODS.contains(method), "{method}");
            for version in *versions {
                let dir = upstream_experimental_json_schema(version)?;
                assert!(dir.join(file).is_file(), "{version} lacks {file}");
            }
        }
        assert_eq!(
            validate_transcript(UPSTREAM_0_171, &exchange(json!({"terminated": true})))?,
            Vec::new()
        );
        let errors = validate_transcript(UPSTREAM_0_171, &exchange(json!({"terminated": "yes"})))?;
        assert_eq!(errors.len(), 1, "{errors:?}");
        Ok(())
    }

    /// The notifications skipped for a version are ours and really absent from it.
    #[test]
    fn notifications_newer_than_a_version_are_absent_from_it() -> anyhow::Result<()> {
        for (method, version) in NOTIFICATIONS_NEWER_THAN {
            assert!(ServerNotification::METHODS.contains(method), "{method}");
            let schema = UpstreamSchema::load(version)?;
            assert!(
                !schema
                    .methods(Union::ServerNotification)
                    .any(|name| name == *method),
                "{method} in {version}"
            );
        }
        Ok(())
    }

    /// The server requests skipped for a version are absent from it.
    #[test]
    fn server_requests_newer_than_a_version_are_absent_from_it() -> anyhow::Result<()> {
        for (method, version) in SERVER_REQUESTS_NEWER_THAN {
            let schema = UpstreamSchema::load(version)?;
            assert!(
                !schema
                    .methods(Union::ServerRequest)
                    .any(|name| name == *method),
                "{method} in {version}"
            );
        }
        Ok(())
    }

    /// The item kinds skipped for a version are absent from its `ThreadItem` and present in the other's.
    #[test]
    fn items_newer_than_a_version_are_absent_from_it() -> anyhow::Result<()> {
        let kinds = |version: &str| -> anyhow::Result<Vec<Value>> {
            let schema = UpstreamSchema::load(version)?;
            let items = &schema.unions[&Union::ServerNotification].definitions["ThreadItem"];
            Ok(items["oneOf"]
                .as_array()
                .context("ThreadItem is a oneOf")?
                .iter()
                .map(|variant| variant["properties"]["type"]["enum"][0].clone())
                .collect())
        };
        for (kind, version) in ITEMS_NEWER_THAN {
            assert!(
                !kinds(version)?.contains(&json!(kind)),
                "{kind} in {version}"
            );
            for other in UPSTREAM_VERSIONS.iter().filter(|other| *other != version) {
                assert!(
                    kinds(other)?.contains(&json!(kind)),
                    "{kind} not in {other}"
                );
            }
        }
        Ok(())
    }

    /// Our answer to a server request is checked against the response schema named after its params.
    #[test]
    fn answers_to_server_requests_are_checked() -> anyhow::Result<()> {
        let request = json!({
            "id": 5,
            "method": "account/chatgptAuthTokens/refresh",
            "params": {"reason": "unauthorized", "previousAccountId": "acct"},
        });
        let answer = json!({"id": 5, "result": {"chatgptAccountId": "acct"}});
        let transcript = [Transcribed::Received(request), Transcribed::Sent(answer)];
        for version in UPSTREAM_VERSIONS {
            let errors = validate_transcript(version, &transcript)?;
            let found: Vec<(&str, &str, &str)> = errors
                .iter()
                .map(|error| {
                    (
                        error.kind.as_str(),
                        error.pointer.as_str(),
                        error.message.as_str(),
                    )
                })
                .collect();
            assert_eq!(
                found,
                vec![(
                    "our answer to account/chatgptAuthTokens/refresh",
                    "/result",
                    r#""accessToken" is a required property"#
                )]
            );
        }
        Ok(())
    }

    /// A wrong field deep inside a tagged union is reported at its own pointer.
    #[test]
    fn errors_name_the_field_inside_tagged_unions() -> anyhow::Result<()> {
        let message = json!({
            "method": "item/completed",
            "params": {
                "threadId": "t", "turnId": "u",
                "item": {"type": "agentMessage", "id": "m", "text": 7},
            },
        });
        let errors = validate_transcript(UPSTREAM_0_105, &[Transcribed::Received(message)])?;
        let text_errors: Vec<String> = errors
            .iter()
            .filter(|error| error.pointer == "/params/item/text")
            .map(|error| error.message.clone())
            .collect();
        assert_eq!(
            text_errors,
            vec![r#"7 is not of type "string""#.to_string()]
        );
        Ok(())
    }
}
