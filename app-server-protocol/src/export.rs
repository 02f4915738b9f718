//! JSON Schema (draft-07) and TypeScript export of every wire type, used by the binary's
//! `generate-json-schema` / `generate-ts` commands and by the committed `schema/` tree.
//!
//! Layout: `json/<Type>.json` for envelope and top-level unions, `json/v1/` and `json/v2/` for payload
//! types (the directory follows the type's `ts(export_to)`), plus the bundle
//! `json/codex_app_server_protocol.schemas.json`; `typescript/` mirrors it with one `.ts` file per type and
//! an `index.ts` per directory. Output is deterministic: sorted keys, two-space indent, trailing newline.

use std::any::TypeId;
use std::collections::BTreeMap;
use std::collections::HashSet;
use std::io;
use std::path::Path;
use std::path::PathBuf;

use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde_json::Map;
use serde_json::Value;
use ts_rs::TS;
use ts_rs::TypeVisitor;

use crate::jsonrpc::JSONRPCError;
use crate::jsonrpc::JSONRPCErrorError;
use crate::jsonrpc::JSONRPCMessage;
use crate::jsonrpc::JSONRPCNotification;
use crate::jsonrpc::JSONRPCRequest;
use crate::jsonrpc::JSONRPCResponse;
use crate::jsonrpc::RequestId;
use crate::protocol::common::ClientNotification;
use crate::protocol::common::ClientRequest;
use crate::protocol::common::ServerNotification;
use crate::protocol::common::ServerRequest;
use crate::protocol::common::visit_client_request_types;
use crate::protocol::common::visit_server_notification_types;
use crate::protocol::common::visit_server_request_types;
use crate::wire_type_visitor::WireTypeVisitor;

/// First line of every generated TypeScript file.
pub const TS_HEADER: &str = "// GENERATED CODE! DO NOT MODIFY BY HAND!\n\n";

/// File name of the JSON Schema bundle holding every definition.
pub const JSON_BUNDLE_FILE: &str = "codex_app_server_protocol.schemas.json";

/// Walks every top-level wire type: the envelope, the four unions, and each method's payload types.
fn visit_all_wire_types(visitor: &mut impl WireTypeVisitor) {
    visitor.visit::<RequestId>();
    visitor.visit::<JSONRPCMessage>();
    visitor.visit::<JSONRPCRequest>();
    visitor.visit::<JSONRPCNotification>();
    visitor.visit::<JSONRPCResponse>();
    visitor.visit::<JSONRPCError>();
    visitor.visit::<JSONRPCErrorError>();
    visitor.visit::<ClientRequest>();
    visitor.visit::<ClientNotification>();
    visitor.visit::<ServerRequest>();
    visitor.visit::<ServerNotification>();
    visit_client_request_types(visitor);
    visit_server_notification_types(visitor);
    visit_server_request_types(visitor);
}

/// Collects one root schema per top-level type, keyed by its path relative to the JSON output directory.
struct JsonSchemaCollector {
    files: BTreeMap<PathBuf, Value>,
}

impl WireTypeVisitor for JsonSchemaCollector {
    fn visit<T: JsonSchema + TS + 'static>(&mut self) {
        // Types without a TypeScript declaration (e.g. `Option<NoParams>`) are not named types.
        let Some(ts_path) = T::output_path() else {
            return;
        };
        let generator = SchemaSettings::draft07().into_generator();
        let schema = generator.into_root_schema_for::<T>();
        let file = ts_path.with_extension("json");
        self.files.insert(file, schema.to_value());
    }
}

/// Collects every TypeScript declaration reachable from the top-level types, keyed by output path.
struct TsCollector {
    seen: HashSet<TypeId>,
    files: BTreeMap<PathBuf, String>,
    error: Option<ts_rs::ExportError>,
}

impl TypeVisitor for TsCollector {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        let Some(path) = T::output_path() else {
            return;
        };
        if self.error.is_some() || !self.seen.insert(TypeId::of::<T>()) {
            return;
        }
        match T::export_to_string() {
            Ok(text) => {
                self.files.insert(path, text);
            }
            Err(error) => {
                self.error = Some(error);
                return;
            }
        }
        T::visit_dependencies(self);
        T::visit_generics(self);
    }
}

impl WireTypeVisitor for TsCollector {
    fn visit<T: JsonSchema + TS + 'static>(&mut self) {
        <Self as TypeVisitor>::visit::<T>(self);
        T::visit_dependencies(self);
        T::visit_generics(self);
    }
}

/// Writes `schema/json`-style output into `out_dir`: one file per top-level type plus the bundle.
pub fn generate_json_schema(out_dir: &Path) -> io::Result<()> {
    let mut collector = JsonSchemaCollector {
        files: BTreeMap::new(),
    };
    visit_all_wire_types(&mut collector);

    let mut bundle_definitions = Map::new();
    for (file, schema) in &collector.files {
        let mut schema = schema.clone();
        if let Some(object) = schema.as_object_mut() {
            if let Some(Value::Object(definitions)) = object.remove("definitions") {
                bundle_definitions.extend(definitions);
            }
            object.remove("$schema");
            if let Some(name) = file.file_stem().and_then(|stem| stem.to_str()) {
                bundle_definitions.insert(name.to_string(), schema);
            }
        }
    }
    let bundle = serde_json::json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "CodexAppServerProtocol",
        "type": "object",
        "definitions": bundle_definitions,
    });

    for (file, schema) in collector
        .files
        .into_iter()
        .chain([(PathBuf::from(JSON_BUNDLE_FILE), bundle)])
    {
        let path = out_dir.join(file);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut text = serde_json::to_string_pretty(&sort_json_keys(schema))?;
        text.push('\n');
        std::fs::write(path, text)?;
    }
    Ok(())
}

/// Writes `schema/typescript`-style output into `out_dir`: one `.ts` file per type and an `index.ts` per
/// directory re-exporting them (subdirectories as namespaces).
pub fn generate_ts(out_dir: &Path) -> io::Result<()> {
    let mut collector = TsCollector {
        seen: HashSet::new(),
        files: BTreeMap::new(),
        error: None,
    };
    visit_all_wire_types(&mut collector);
    if let Some(error) = collector.error {
        return Err(io::Error::other(error.to_string()));
    }

    let mut index_entries: BTreeMap<PathBuf, Vec<String>> = BTreeMap::new();
    for (file, text) in &collector.files {
        let path = out_dir.join(file);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        // ts-rs starts every file with its own note; ours replaces it.
        let body = match text.split_once('\n') {
            Some((first_line, rest)) if first_line.starts_with("//") => rest,
            _ => text.as_str(),
        };
        let body = body.trim_start_matches('\n');
        let mut content = format!("{TS_HEADER}{body}");
        if !content.ends_with('\n') {
            content.push('\n');
        }
        std::fs::write(&path, content)?;

        let directory = file.parent().map(Path::to_path_buf).unwrap_or_default();
        if let Some(name) = file.file_stem().and_then(|stem| stem.to_str()) {
            index_entries
                .entry(directory)
                .or_default()
                .push(format!("export type {{ {name} }} from \"./{name}\";"));
        }
    }

    let subdirectories: Vec<PathBuf> = index_entries
        .keys()
        .filter(|directory| !directory.as_os_str().is_empty())
        .cloned()
        .collect();
    let root_entries = index_entries.entry(PathBuf::new()).or_default();
    for directory in &subdirectories {
        let directory = directory.to_string_lossy();
        root_entries.push(format!("export * as {directory} from \"./{directory}\";"));
    }
    for (directory, mut lines) in index_entries {
        lines.sort();
        let path = out_dir.join(directory).join("index.ts");
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, format!("{TS_HEADER}{}\n", lines.join("\n")))?;
    }
    Ok(())
}

/// Returns `value` with every object's keys in sorted order, whatever map the JSON library uses.
pub fn sort_json_keys(value: Value) -> Value {
    match value {
        Value::Object(object) => {
            let sorted: BTreeMap<String, Value> = object
                .into_iter()
                .map(|(key, value)| (key, sort_json_keys(value)))
                .collect();
            Value::Object(sorted.into_iter().collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sort_json_keys).collect()),
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => value,
    }
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    #[test]
    fn typescript_files_carry_the_header_and_indexes_reexport_them() {
        let out = tempfile::tempdir().expect("tempdir");
        generate_ts(out.path()).expect("generates");
        for file in [
            "ClientRequest.ts",
            "ServerNotification.ts",
            "index.ts",
            "v2/ThreadItem.ts",
            "v2/index.ts",
        ] {
            let text = std::fs::read_to_string(out.path().join(file)).expect("exists");
            assert!(text.starts_with(TS_HEADER), "{file} lacks the header");
        }
        let index = std::fs::read_to_string(out.path().join("index.ts")).expect("exists");
        assert!(index.contains("export * as v2 from \"./v2\";"));
        assert!(index.contains("export type { ClientRequest } from \"./ClientRequest\";"));
        let item = std::fs::read_to_string(out.path().join("v2/ThreadItem.ts")).expect("exists");
        assert!(item.contains("\"type\": \"agentMessage\""));
    }

    #[test]
    fn json_output_has_one_file_per_payload_type_and_a_bundle() {
        let out = tempfile::tempdir().expect("tempdir");
        generate_json_schema(out.path()).expect("generates");
        for file in [
            "ClientRequest.json",
            "ServerRequest.json",
            "JSONRPCMessage.json",
            "RequestId.json",
            "v1/InitializeParams.json",
            "v2/ThreadStartParams.json",
            "v2/GetAccountRateLimitsResponse.json",
            "v2/AccountRateLimitsUpdatedNotification.json",
            "v2/ChatgptAuthTokensRefreshParams.json",
        ] {
            assert!(out.path().join(file).is_file(), "{file} missing");
        }
        let bundle: Value = serde_json::from_str(
            &std::fs::read_to_string(out.path().join(JSON_BUNDLE_FILE)).expect("exists"),
        )
        .expect("parses");
        assert_eq!(bundle["$schema"], "http://json-schema.org/draft-07/schema#");
        assert_eq!(bundle["title"], "CodexAppServerProtocol");
        let definitions = bundle["definitions"].as_object().expect("definitions");
        for name in [
            "ClientRequest",
            "ServerNotification",
            "RateLimitSnapshot",
            "ThreadStartResponse",
        ] {
            assert!(
                definitions.contains_key(name),
                "{name} missing from the bundle"
            );
        }
        assert_eq!(
            definitions["GetAccountRateLimitsResponse"]["required"],
            serde_json::json!(["rateLimits"])
        );
    }
}
