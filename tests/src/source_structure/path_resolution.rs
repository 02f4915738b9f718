//! Resolves a path written in a module to the module it lands in, as rustc would for the names it can see:
//! the `crate::`, `super::` and `self::` anchors, child modules, a module's own items, and its imports, named
//! or glob, followed to where they point (`crate::X` that the root re-exports with `pub use tools::X` lands
//! in `tools`). A first segment it cannot find (another crate, the prelude, a local) resolves to nothing; a
//! later one it cannot find (a macro's output) leaves the path where it got to.

use super::location::Location;
use super::module_tree::ModuleId;
use super::module_tree::ModuleTree;
use super::module_tree::ROOT;
use super::scope::Scope;
use super::use_tree::Binding;

/// How many imports a lookup follows before it gives up: glob imports can point at each other.
const MAX_HOPS: usize = 8;

pub(super) struct Resolver<'a> {
    tree: &'a ModuleTree,
    scopes: &'a [Scope],
}

/// Where a path lands, and the first import it went through, if any.
pub(super) struct Resolution {
    pub module: ModuleId,
    pub via: Option<Location>,
}

#[derive(Clone, Copy)]
enum Found {
    /// The path names this module.
    Module(ModuleId),
    /// The path names an item of this module (or something inside the item).
    Item(ModuleId),
}

struct Lookup {
    found: Found,
    via: Option<Location>,
}

impl<'a> Resolver<'a> {
    pub(super) fn new(tree: &'a ModuleTree, scopes: &'a [Scope]) -> Self {
        Resolver { tree, scopes }
    }

    /// Where `path`, written in module `from`, lands; `None` when it leaves the crate or names nothing known.
    pub(super) fn resolve(&self, from: ModuleId, path: &[String]) -> Option<Resolution> {
        self.resolve_path(from, path, 0).map(|lookup| Resolution {
            module: match lookup.found {
                Found::Module(module) | Found::Item(module) => module,
            },
            via: lookup.via,
        })
    }

    fn resolve_path(&self, from: ModuleId, path: &[String], hops: usize) -> Option<Lookup> {
        let (first, rest) = path.split_first()?;
        let mut lookup = match first.as_str() {
            "crate" | "$crate" => Lookup::module(ROOT),
            name => self.step(from, name, hops)?,
        };
        for segment in rest {
            let Found::Module(current) = lookup.found else {
                break;
            };
            match self.step(current, segment, hops) {
                Some(next) => {
                    lookup = Lookup {
                        found: next.found,
                        via: lookup.via.or(next.via),
                    }
                }
                None => {
                    lookup.found = Found::Item(current);
                    break;
                }
            }
        }
        Some(lookup)
    }

    fn step(&self, module: ModuleId, segment: &str, hops: usize) -> Option<Lookup> {
        match segment {
            "self" => Some(Lookup::module(module)),
            "super" => self.tree.module(module).parent.map(Lookup::module),
            name => self.lookup_name(module, name, hops),
        }
    }

    /// What `name` means inside `module`: a child, an own item, a named import, else a glob import's name.
    fn lookup_name(&self, module: ModuleId, name: &str, hops: usize) -> Option<Lookup> {
        if let Some(&child) = self.tree.module(module).children.get(name) {
            return Some(Lookup::module(child));
        }
        let scope = &self.scopes[module];
        if scope.items.contains(name) {
            return Some(Lookup {
                found: Found::Item(module),
                via: None,
            });
        }
        if hops >= MAX_HOPS {
            return None;
        }
        let named = scope
            .imports
            .iter()
            .find(|import| import.binding == Binding::Name(name.to_string()));
        match named {
            // An import that leaves the crate shadows the globs all the same: `?`, not a fall-through.
            Some(import) => {
                let found = self.resolve_path(module, &import.path, hops + 1)?;
                Some(Lookup {
                    found: found.found,
                    via: Some(import.location.clone()),
                })
            }
            None => self.lookup_in_globs(module, name, hops),
        }
    }

    fn lookup_in_globs(&self, module: ModuleId, name: &str, hops: usize) -> Option<Lookup> {
        let globs = self.scopes[module]
            .imports
            .iter()
            .filter(|import| import.binding == Binding::Glob);
        for import in globs {
            let Some(Lookup {
                found: Found::Module(source),
                ..
            }) = self.resolve_path(module, &import.path, hops + 1)
            else {
                continue;
            };
            if source == module {
                continue;
            }
            if let Some(found) = self.lookup_name(source, name, hops + 1) {
                return Some(Lookup {
                    found: found.found,
                    via: Some(import.location.clone()),
                });
            }
        }
        None
    }
}

impl Lookup {
    fn module(module: ModuleId) -> Self {
        Lookup {
            found: Found::Module(module),
            via: None,
        }
    }
}
