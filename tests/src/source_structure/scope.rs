//! The names each module defines and imports, which path resolution looks through: its own items, and its
//! module-level `use` imports, named (`use a::B`, `pub use b::C as D`) or glob (`use super::*`).

use std::collections::BTreeSet;

use syn::Item;
use syn::ext::IdentExt;

use super::location::Location;
use super::module_tree::ModuleTree;
use super::use_tree::Binding;
use super::use_tree::flatten;

#[derive(Default)]
pub(super) struct Scope {
    pub items: BTreeSet<String>,
    pub imports: Vec<Import>,
}

pub(super) struct Import {
    pub path: Vec<String>,
    pub binding: Binding,
    pub location: Location,
}

/// One scope per module, indexed by module id.
pub(super) fn scopes(tree: &ModuleTree) -> Vec<Scope> {
    tree.modules()
        .map(|(_, module)| {
            let mut scope = Scope::default();
            for source in &module.sources {
                let file = &tree.file(source.file).path;
                for item in &source.items {
                    scope.add(item, file);
                }
            }
            scope
        })
        .collect()
}

impl Scope {
    fn add(&mut self, item: &Item, file: &std::path::Path) {
        let name = match item {
            Item::Use(item) => {
                self.imports
                    .extend(flatten(item).into_iter().map(|leaf| Import {
                        path: leaf.path,
                        binding: leaf.binding,
                        location: Location::new(file, leaf.line),
                    }));
                return;
            }
            Item::Const(item) => &item.ident,
            Item::Enum(item) => &item.ident,
            Item::ExternCrate(item) => item.rename.as_ref().map_or(&item.ident, |(_, name)| name),
            Item::Fn(item) => &item.sig.ident,
            Item::Macro(item) => match &item.ident {
                Some(name) => name,
                None => return,
            },
            Item::Static(item) => &item.ident,
            Item::Struct(item) => &item.ident,
            Item::Trait(item) => &item.ident,
            Item::TraitAlias(item) => &item.ident,
            Item::Type(item) => &item.ident,
            Item::Union(item) => &item.ident,
            _ => return,
        };
        self.items.insert(name.unraw().to_string());
    }
}
