//! A `use` item flattened into one import per name it brings in: `use crate::{a::X, b::{self, Y as Z}, c::*}`
//! gives `crate::a::X`, `crate::b` as `b`, `crate::b::Y` as `Z` and the glob `crate::c::*`.

use proc_macro2::Ident;
use syn::ItemUse;
use syn::UseTree;
use syn::ext::IdentExt;

pub(super) struct UseLeaf {
    /// The full path; a `self` leaf names its prefix.
    pub path: Vec<String>,
    pub binding: Binding,
    pub line: usize,
}

#[derive(Clone, PartialEq, Eq)]
pub(super) enum Binding {
    Name(String),
    /// `use x::*`: every public name of `x`.
    Glob,
    /// `use x::Trait as _`: in scope, under no name.
    Hidden,
}

/// The imports of one `use` item; none for `use ::other_crate::..`, which can only name another crate.
pub(super) fn flatten(item: &ItemUse) -> Vec<UseLeaf> {
    let mut leaves = Vec::new();
    if item.leading_colon.is_none() {
        walk(&item.tree, &mut Vec::new(), &mut leaves);
    }
    leaves
}

fn walk(tree: &UseTree, prefix: &mut Vec<String>, leaves: &mut Vec<UseLeaf>) {
    match tree {
        UseTree::Path(path) => {
            prefix.push(path.ident.unraw().to_string());
            walk(&path.tree, prefix, leaves);
            prefix.pop();
        }
        UseTree::Name(name) => leaves.push(leaf(prefix, &name.ident, None)),
        UseTree::Rename(rename) => leaves.push(leaf(prefix, &rename.ident, Some(&rename.rename))),
        UseTree::Glob(glob) => leaves.push(UseLeaf {
            path: prefix.clone(),
            binding: Binding::Glob,
            line: glob.star_token.span.start().line,
        }),
        UseTree::Group(group) => {
            for tree in &group.items {
                walk(tree, prefix, leaves);
            }
        }
    }
}

fn leaf(prefix: &[String], ident: &Ident, rename: Option<&Ident>) -> UseLeaf {
    let name = ident.unraw().to_string();
    let mut path = prefix.to_vec();
    if name != "self" {
        path.push(name);
    }
    let binding = match rename.map(|rename| rename.unraw().to_string()) {
        Some(rename) if rename == "_" => Binding::Hidden,
        Some(rename) => Binding::Name(rename),
        None => Binding::Name(path.last().cloned().unwrap_or_default()),
    };
    UseLeaf {
        path,
        binding,
        line: ident.span().start().line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(source: &str) -> Vec<(String, String)> {
        let item: ItemUse = syn::parse_str(source).expect("use parses");
        flatten(&item)
            .into_iter()
            .map(|leaf| {
                let binding = match leaf.binding {
                    Binding::Name(name) => name,
                    Binding::Glob => "*".to_string(),
                    Binding::Hidden => "_".to_string(),
                };
                (leaf.path.join("::"), binding)
            })
            .collect()
    }

    #[test]
    fn braces_self_renames_and_globs_flatten_to_one_import_each() {
        let pairs = |items: &[(&str, &str)]| -> Vec<(String, String)> {
            items
                .iter()
                .map(|(path, binding)| (path.to_string(), binding.to_string()))
                .collect()
        };
        assert_eq!(
            leaves("use crate::{a::X, b::{self, Y as Z, T as _}, c::*};"),
            pairs(&[
                ("crate::a::X", "X"),
                ("crate::b", "b"),
                ("crate::b::Y", "Z"),
                ("crate::b::T", "_"),
                ("crate::c", "*"),
            ])
        );
        assert_eq!(
            leaves("use r#async::r#type;"),
            pairs(&[("async::type", "type")])
        );
        assert!(leaves("use ::serde::Serialize;").is_empty());
    }
}
