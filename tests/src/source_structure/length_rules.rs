//! The length rules: no source file over 800 lines and no function over 120 (from its `fn` line to its
//! closing brace; methods and trait default bodies count, closures are part of their function), test-only
//! code left out.

use std::path::Path;
use std::path::PathBuf;

use syn::Block;
use syn::ImplItem;
use syn::ImplItemFn;
use syn::Item;
use syn::ItemFn;
use syn::ItemImpl;
use syn::ItemTrait;
use syn::Signature;
use syn::TraitItem;
use syn::TraitItemFn;
use syn::Type;
use syn::visit;
use syn::visit::Visit;

use super::location::Location;
use super::module_tree::ModuleTree;
use super::test_code::impl_item_attrs;
use super::test_code::is_test_only;
use super::test_code::item_attrs;
use super::test_code::trait_item_attrs;

pub const MAX_FILE_LINES: usize = 800;
pub const MAX_FUNCTION_LINES: usize = 120;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LongFile {
    pub path: PathBuf,
    /// Not counting test-only items.
    pub lines: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LongFunction {
    /// The `fn` line.
    pub location: Location,
    /// `run_turn`, or `ModelClient::stream` for a method.
    pub name: String,
    pub lines: usize,
}

pub(super) fn long_files(tree: &ModuleTree) -> Vec<LongFile> {
    tree.files()
        .iter()
        .map(|file| LongFile {
            path: file.path.clone(),
            lines: file.lines.saturating_sub(file.test_lines),
        })
        .filter(|file| file.lines > MAX_FILE_LINES)
        .collect()
}

pub(super) fn long_functions(tree: &ModuleTree) -> Vec<LongFunction> {
    let mut functions = Vec::new();
    for (_, module) in tree.modules() {
        for source in &module.sources {
            let mut finder = FunctionFinder {
                file: &tree.file(source.file).path,
                owners: Vec::new(),
                functions: &mut functions,
            };
            for item in &source.items {
                finder.visit_item(item);
            }
        }
    }
    functions
}

struct FunctionFinder<'a> {
    file: &'a Path,
    /// The type or trait of the impl or trait being walked, innermost last.
    owners: Vec<String>,
    functions: &'a mut Vec<LongFunction>,
}

impl FunctionFinder<'_> {
    fn measure(&mut self, signature: &Signature, body: &Block) {
        let first = signature.fn_token.span.start().line;
        let lines = body.brace_token.span.close().end().line + 1 - first;
        if lines <= MAX_FUNCTION_LINES {
            return;
        }
        let name = match self.owners.last() {
            Some(owner) => format!("{owner}::{}", signature.ident),
            None => signature.ident.to_string(),
        };
        self.functions.push(LongFunction {
            location: Location::new(self.file, first),
            name,
            lines,
        });
    }
}

impl<'ast> Visit<'ast> for FunctionFinder<'_> {
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

    fn visit_item_fn(&mut self, function: &'ast ItemFn) {
        self.measure(&function.sig, &function.block);
        visit::visit_item_fn(self, function);
    }

    fn visit_impl_item_fn(&mut self, function: &'ast ImplItemFn) {
        self.measure(&function.sig, &function.block);
        visit::visit_impl_item_fn(self, function);
    }

    fn visit_trait_item_fn(&mut self, function: &'ast TraitItemFn) {
        if let Some(body) = &function.default {
            self.measure(&function.sig, body);
        }
        visit::visit_trait_item_fn(self, function);
    }

    fn visit_item_impl(&mut self, item: &'ast ItemImpl) {
        self.owners.push(type_name(&item.self_ty));
        visit::visit_item_impl(self, item);
        self.owners.pop();
    }

    fn visit_item_trait(&mut self, item: &'ast ItemTrait) {
        self.owners.push(item.ident.to_string());
        visit::visit_item_trait(self, item);
        self.owners.pop();
    }
}

/// `ModelClient` for `impl<T> a::ModelClient<T>`.
fn type_name(self_ty: &Type) -> String {
    match self_ty {
        Type::Path(path) => path
            .path
            .segments
            .last()
            .map_or_else(|| "impl".to_string(), |segment| segment.ident.to_string()),
        _ => "impl".to_string(),
    }
}
