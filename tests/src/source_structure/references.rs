//! The paths a module's code writes that may name another module: every `use` leaf, every path of two or
//! more segments in its items (types, expressions, patterns, trait bounds, macro names) and in the token
//! streams of macro invocations (`vec![crate::x::y()]`), and every path starting at `crate`, `super` or
//! `self`. Comments and string literals are not tokens, so they never count; neither do attributes,
//! visibility paths (`pub(in crate::x)`) nor test-only items.

use std::path::Path;

use proc_macro2::Spacing;
use proc_macro2::TokenStream;
use proc_macro2::TokenTree;
use syn::Attribute;
use syn::ImplItem;
use syn::Item;
use syn::ItemMod;
use syn::ItemUse;
use syn::Macro;
use syn::TraitItem;
use syn::Visibility;
use syn::ext::IdentExt;
use syn::visit;
use syn::visit::Visit;

use super::location::Location;
use super::module_tree::ModuleId;
use super::module_tree::ModuleTree;
use super::test_code::impl_item_attrs;
use super::test_code::is_test_only;
use super::test_code::item_attrs;
use super::test_code::trait_item_attrs;
use super::use_tree::flatten;

pub(super) struct Reference {
    /// The module the code is in.
    pub module: ModuleId,
    pub path: Vec<String>,
    pub location: Location,
}

impl Reference {
    /// The path as written, less generic arguments: `crate::tools::run`.
    pub(super) fn text(&self) -> String {
        self.path.join("::")
    }
}

pub(super) fn references(tree: &ModuleTree) -> Vec<Reference> {
    let mut references = Vec::new();
    for (module, body) in tree.modules() {
        for source in &body.sources {
            let mut collector = Collector {
                module,
                file: &tree.file(source.file).path,
                references: &mut references,
            };
            for item in &source.items {
                collector.visit_item(item);
            }
        }
    }
    references
}

struct Collector<'a> {
    module: ModuleId,
    file: &'a Path,
    references: &'a mut Vec<Reference>,
}

impl Collector<'_> {
    fn record(&mut self, path: Vec<String>, line: usize) {
        let anchored = path
            .first()
            .is_some_and(|first| matches!(first.as_str(), "crate" | "super" | "self"));
        if path.len() > 1 || anchored {
            self.references.push(Reference {
                module: self.module,
                path,
                location: Location::new(self.file, line),
            });
        }
    }

    /// Paths in tokens rustc has not parsed yet: `a::b::c` runs of identifiers joined by `::`.
    fn scan_tokens(&mut self, tokens: TokenStream) {
        let tokens: Vec<TokenTree> = tokens.into_iter().collect();
        let mut at = 0;
        while at < tokens.len() {
            match &tokens[at] {
                TokenTree::Group(group) => {
                    self.scan_tokens(group.stream());
                    at += 1;
                }
                TokenTree::Ident(first) if !follows_path_separator(&tokens, at) => {
                    let line = first.span().start().line;
                    let (path, next) = read_path(&tokens, at);
                    if path.len() > 1 {
                        self.record(path, line);
                    }
                    at = next;
                }
                _ => at += 1,
            }
        }
    }
}

impl<'ast> Visit<'ast> for Collector<'_> {
    fn visit_item(&mut self, item: &'ast Item) {
        if !is_test_only(item_attrs(item)) {
            visit::visit_item(self, item);
        }
    }

    fn visit_impl_item(&mut self, item: &'ast ImplItem) {
        if !is_test_only(impl_item_attrs(item)) {
            visit::visit_impl_item(self, item);
        }
    }

    fn visit_trait_item(&mut self, item: &'ast TraitItem) {
        if !is_test_only(trait_item_attrs(item)) {
            visit::visit_trait_item(self, item);
        }
    }

    /// A module inside a function body is not in the tree; its paths would resolve from the wrong place.
    fn visit_item_mod(&mut self, _: &'ast ItemMod) {}

    fn visit_item_use(&mut self, item: &'ast ItemUse) {
        // A glob `use crate::x::*` is a reference to `x` itself.
        for leaf in flatten(item) {
            self.record(leaf.path, leaf.line);
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        if path.leading_colon.is_none()
            && let Some(first) = path.segments.first()
        {
            let segments = path
                .segments
                .iter()
                .map(|segment| segment.ident.unraw().to_string())
                .collect();
            self.record(segments, first.ident.span().start().line);
        }
        visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast Macro) {
        self.visit_path(&mac.path);
        self.scan_tokens(mac.tokens.clone());
    }

    fn visit_visibility(&mut self, _: &'ast Visibility) {}

    fn visit_attribute(&mut self, _: &'ast Attribute) {}
}

/// Whether the token at `at` continues a path: it comes right after `::`.
fn follows_path_separator(tokens: &[TokenTree], at: usize) -> bool {
    at >= 2 && is_path_separator(&tokens[at - 2], &tokens[at - 1])
}

fn is_path_separator(first: &TokenTree, second: &TokenTree) -> bool {
    matches!(
        (first, second),
        (TokenTree::Punct(a), TokenTree::Punct(b))
            if a.as_char() == ':' && a.spacing() == Spacing::Joint && b.as_char() == ':'
    )
}

/// The identifiers of the path starting at `at`, and the index of the first token after it.
fn read_path(tokens: &[TokenTree], at: usize) -> (Vec<String>, usize) {
    let mut path = Vec::new();
    let mut next = at;
    while let Some(TokenTree::Ident(ident)) = tokens.get(next) {
        path.push(ident.unraw().to_string());
        next += 1;
        match (tokens.get(next), tokens.get(next + 1)) {
            (Some(first), Some(second)) if is_path_separator(first, second) => next += 2,
            _ => break,
        }
    }
    (path, next)
}
