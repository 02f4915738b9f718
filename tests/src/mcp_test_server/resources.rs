//! The resources of `mcp_test_server`: a text resource, a blob resource and a template, listed and read.

use rmcp::ErrorData;
use rmcp::model::AnnotateAble;
use rmcp::model::RawResource;
use rmcp::model::RawResourceTemplate;
use rmcp::model::ReadResourceResult;
use rmcp::model::Resource;
use rmcp::model::ResourceContents;
use rmcp::model::ResourceTemplate;
use serde_json::json;

use super::PNG_BASE64;

pub const README_URI: &str = "test://readme";
pub const README_TEXT: &str = "Read me: hello from the test server";
pub const LOGO_URI: &str = "test://logo";
/// The template's URIs; reading `test://files/<x>` gives `contents of <x>`.
pub const FILES_TEMPLATE: &str = "test://files/{name}";
const FILES_PREFIX: &str = "test://files/";

pub(super) fn list() -> Vec<Resource> {
    vec![
        resource(README_URI, "readme", "A short text.", "text/plain"),
        resource(LOGO_URI, "logo", "A 1x1 PNG image.", "image/png"),
    ]
}

pub(super) fn templates() -> Vec<ResourceTemplate> {
    vec![
        RawResourceTemplate {
            uri_template: FILES_TEMPLATE.to_string(),
            name: "files".to_string(),
            title: None,
            description: Some("A text file by name.".to_string()),
            mime_type: Some("text/plain".to_string()),
            icons: None,
        }
        .no_annotation(),
    ]
}

/// The contents of `uri`; a "resource not found" error for a URI the server does not have.
pub(super) fn read(uri: &str) -> Result<ReadResourceResult, ErrorData> {
    let contents = if uri == README_URI {
        text(uri, README_TEXT.to_string())
    } else if uri == LOGO_URI {
        ResourceContents::BlobResourceContents {
            uri: uri.to_string(),
            mime_type: Some("image/png".to_string()),
            blob: PNG_BASE64.to_string(),
            meta: None,
        }
    } else if let Some(name) = uri
        .strip_prefix(FILES_PREFIX)
        .filter(|name| !name.is_empty())
    {
        text(uri, format!("contents of {name}"))
    } else {
        return Err(ErrorData::resource_not_found(
            format!("no resource {uri}"),
            Some(json!({"uri": uri})),
        ));
    };
    Ok(ReadResourceResult {
        contents: vec![contents],
    })
}

fn resource(uri: &str, name: &str, description: &str, mime_type: &str) -> Resource {
    RawResource {
        description: Some(description.to_string()),
        mime_type: Some(mime_type.to_string()),
        ..RawResource::new(uri, name)
    }
    .no_annotation()
}

fn text(uri: &str, text: String) -> ResourceContents {
    ResourceContents::TextResourceContents {
        uri: uri.to_string(),
        mime_type: Some("text/plain".to_string()),
        text,
        meta: None,
    }
}
