//! What counts as test code, which the rules leave out: an item under a `#[cfg(..)]` that holds only when
//! testing (`test`, `all(test, ..)`), and the files kept for tests (`tests.rs`, `*_tests.rs`,
//! `test_support.rs`, anything under a `test_support/` folder).

use std::path::Path;

use syn::Attribute;
use syn::ImplItem;
use syn::Item;
use syn::Meta;
use syn::Token;
use syn::TraitItem;
use syn::punctuated::Punctuated;

/// Whether these attributes compile their item only in tests.
pub(super) fn is_test_only(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("cfg")
            && attr
                .parse_args::<Meta>()
                .is_ok_and(|predicate| holds_only_in_tests(&predicate))
    })
}

fn holds_only_in_tests(predicate: &Meta) -> bool {
    match predicate {
        Meta::Path(path) => path.is_ident("test"),
        Meta::List(list) => {
            let Ok(operands) =
                list.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)
            else {
                return false;
            };
            if list.path.is_ident("all") {
                operands.iter().any(holds_only_in_tests)
            } else if list.path.is_ident("any") {
                !operands.is_empty() && operands.iter().all(holds_only_in_tests)
            } else {
                false
            }
        }
        Meta::NameValue(_) => false,
    }
}

/// Whether a source file (its path relative to the workspace) is kept for tests only.
pub(super) fn is_test_file(path: &Path) -> bool {
    let file_name = path
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or("");
    file_name == "tests.rs"
        || file_name.ends_with("_tests.rs")
        || file_name == "test_support.rs"
        || path
            .components()
            .any(|part| part.as_os_str() == "test_support")
}

pub(super) fn item_attrs(item: &Item) -> &[Attribute] {
    match item {
        Item::Const(item) => &item.attrs,
        Item::Enum(item) => &item.attrs,
        Item::ExternCrate(item) => &item.attrs,
        Item::Fn(item) => &item.attrs,
        Item::ForeignMod(item) => &item.attrs,
        Item::Impl(item) => &item.attrs,
        Item::Macro(item) => &item.attrs,
        Item::Mod(item) => &item.attrs,
        Item::Static(item) => &item.attrs,
        Item::Struct(item) => &item.attrs,
        Item::Trait(item) => &item.attrs,
        Item::TraitAlias(item) => &item.attrs,
        Item::Type(item) => &item.attrs,
        Item::Union(item) => &item.attrs,
        Item::Use(item) => &item.attrs,
        _ => &[],
    }
}

pub(super) fn impl_item_attrs(item: &ImplItem) -> &[Attribute] {
    match item {
        ImplItem::Const(item) => &item.attrs,
        ImplItem::Fn(item) => &item.attrs,
        ImplItem::Type(item) => &item.attrs,
        ImplItem::Macro(item) => &item.attrs,
        _ => &[],
    }
}

pub(super) fn trait_item_attrs(item: &TraitItem) -> &[Attribute] {
    match item {
        TraitItem::Const(item) => &item.attrs,
        TraitItem::Fn(item) => &item.attrs,
        TraitItem::Type(item) => &item.attrs,
        TraitItem::Macro(item) => &item.attrs,
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test_only(attributes: &str) -> bool {
        let item: Item = syn::parse_str(&format!("{attributes} fn f() {{}}")).expect("item parses");
        is_test_only(item_attrs(&item))
    }

    #[test]
    fn cfg_predicates_that_hold_only_in_tests() {
        assert!(test_only("#[cfg(test)]"));
        assert!(test_only("#[cfg(all(test, unix))]"));
        assert!(test_only("#[cfg(any(test, all(test, unix)))]"));
        assert!(!test_only("#[cfg(not(test))]"));
        assert!(!test_only("#[cfg(any(test, feature = \"x\"))]"));
        assert!(!test_only("#[cfg(target_os = \"linux\")]"));
        assert!(!test_only("#[test]"));
    }

    #[test]
    fn test_files_by_name_and_folder() {
        assert!(is_test_file(Path::new("core/src/git_command/tests.rs")));
        assert!(is_test_file(Path::new(
            "core/src/client/model_client_tests.rs"
        )));
        assert!(is_test_file(Path::new("core/src/rollout/test_support.rs")));
        assert!(is_test_file(Path::new("core/src/test_support/fixtures.rs")));
        assert!(!is_test_file(Path::new("core/src/tests_spec.rs")));
        assert!(!is_test_file(Path::new("core/src/turn.rs")));
    }
}
