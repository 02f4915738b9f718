//! The module tree of one crate target, built from the file layout as rustc finds it: the root file
//! (`lib.rs`, `main.rs`, `bin/x.rs`), `foo.rs` with `foo/bar.rs`, `foo/mod.rs`, inline `mod name { }` blocks
//! and `#[path]`. Test-only items and test files are left out; the rest of each module's items is kept for
//! the rules, with each file's length.

use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::path::Path;
use std::path::PathBuf;

use syn::Item;
use syn::ItemMod;
use syn::Lit;
use syn::Meta;
use syn::ext::IdentExt;
use syn::spanned::Spanned;

use super::error::StructureError;
use super::test_code::is_test_file;
use super::test_code::is_test_only;
use super::test_code::item_attrs;

pub(super) type ModuleId = usize;
pub(super) type FileId = usize;

pub(super) const ROOT: ModuleId = 0;

pub(super) struct ModuleTree {
    modules: Vec<Module>,
    files: Vec<SourceFile>,
}

pub(super) struct Module {
    pub name: String,
    pub parent: Option<ModuleId>,
    pub children: BTreeMap<String, ModuleId>,
    /// The module's body: one per file or inline block that declares it (several when `#[cfg]` picks one).
    pub sources: Vec<ModuleSource>,
}

/// Part of a module's body, without its child modules and its test-only items.
pub(super) struct ModuleSource {
    pub file: FileId,
    pub items: Vec<Item>,
}

pub(super) struct SourceFile {
    /// Relative to the workspace root, as reports show it.
    pub path: PathBuf,
    pub lines: usize,
    /// Lines of test-only items (`#[cfg(test)] mod tests { .. }`), which the file length does not count.
    pub test_lines: usize,
}

/// Where a module's `mod name;` declarations look for their files.
struct ModuleDirs {
    /// The folder of the file the declaration is in: the base of `#[path]`.
    file_dir: PathBuf,
    /// The folder of the module's own children: `foo/` for `foo.rs`, the file's folder for `mod.rs`.
    child_dir: PathBuf,
    /// Inside an inline `mod name { }`, where `#[path]` is relative to `child_dir`.
    inline: bool,
}

impl ModuleTree {
    /// Builds the tree of the crate target whose root file is `root_file`.
    pub(super) fn build(workspace_root: &Path, root_file: &Path) -> Result<Self, StructureError> {
        let mut builder = Builder {
            workspace_root,
            loaded: BTreeSet::new(),
            tree: ModuleTree {
                modules: vec![Module::new("crate".to_string(), None)],
                files: Vec::new(),
            },
        };
        let child_dir = root_file.parent().unwrap_or(workspace_root).to_path_buf();
        builder.load_file(ROOT, root_file, child_dir)?;
        Ok(builder.tree)
    }

    pub(super) fn module(&self, id: ModuleId) -> &Module {
        &self.modules[id]
    }

    pub(super) fn modules(&self) -> impl Iterator<Item = (ModuleId, &Module)> {
        self.modules.iter().enumerate()
    }

    pub(super) fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id]
    }

    pub(super) fn files(&self) -> &[SourceFile] {
        &self.files
    }

    /// The root file, as reports name the tree.
    pub(super) fn root_file(&self) -> &Path {
        self.files.first().map_or(Path::new(""), |file| &file.path)
    }

    /// The modules from the root down to `id`, both included.
    pub(super) fn ancestry(&self, id: ModuleId) -> Vec<ModuleId> {
        let mut chain = vec![id];
        let mut current = id;
        while let Some(parent) = self.modules[current].parent {
            chain.push(parent);
            current = parent;
        }
        chain.reverse();
        chain
    }

    /// `crate::tools::exec`.
    pub(super) fn display_path(&self, id: ModuleId) -> String {
        let names: Vec<&str> = self
            .ancestry(id)
            .into_iter()
            .map(|module| self.modules[module].name.as_str())
            .collect();
        names.join("::")
    }
}

impl Module {
    fn new(name: String, parent: Option<ModuleId>) -> Self {
        Module {
            name,
            parent,
            children: BTreeMap::new(),
            sources: Vec::new(),
        }
    }
}

struct Builder<'a> {
    workspace_root: &'a Path,
    loaded: BTreeSet<PathBuf>,
    tree: ModuleTree,
}

impl Builder<'_> {
    fn load_file(
        &mut self,
        module: ModuleId,
        path: &Path,
        child_dir: PathBuf,
    ) -> Result<(), StructureError> {
        if !self.loaded.insert(path.to_path_buf()) {
            return Ok(());
        }
        let shown = self.shown(path);
        let text = std::fs::read_to_string(path).map_err(|source| StructureError::Read {
            path: shown.clone(),
            source,
        })?;
        let syntax = syn::parse_file(&text).map_err(|source| StructureError::Parse {
            path: shown.clone(),
            source,
        })?;
        let file = self.tree.files.len();
        self.tree.files.push(SourceFile {
            path: shown,
            lines: text.lines().count(),
            test_lines: 0,
        });
        let dirs = ModuleDirs {
            file_dir: path.parent().unwrap_or(self.workspace_root).to_path_buf(),
            child_dir,
            inline: false,
        };
        self.add_items(module, file, syntax.items, &dirs)
    }

    fn add_items(
        &mut self,
        module: ModuleId,
        file: FileId,
        items: Vec<Item>,
        dirs: &ModuleDirs,
    ) -> Result<(), StructureError> {
        let mut kept = Vec::new();
        for item in items {
            if is_test_only(item_attrs(&item)) {
                let span = item.span();
                self.tree.files[file].test_lines += span.end().line + 1 - span.start().line;
                continue;
            }
            match item {
                Item::Mod(declaration) => self.add_child(module, file, declaration, dirs)?,
                other => kept.push(other),
            }
        }
        self.tree.modules[module]
            .sources
            .push(ModuleSource { file, items: kept });
        Ok(())
    }

    fn add_child(
        &mut self,
        parent: ModuleId,
        file: FileId,
        declaration: ItemMod,
        dirs: &ModuleDirs,
    ) -> Result<(), StructureError> {
        let name = declaration.ident.unraw().to_string();
        if let Some((_, items)) = declaration.content {
            let child = self.child(parent, &name);
            let inner = ModuleDirs {
                file_dir: dirs.file_dir.clone(),
                child_dir: dirs.child_dir.join(&name),
                inline: true,
            };
            return self.add_items(child, file, items, &inner);
        }
        let declared_path = path_attribute(&declaration);
        let path = match &declared_path {
            Some(relative) if dirs.inline => dirs.child_dir.join(relative),
            Some(relative) => dirs.file_dir.join(relative),
            None => self.find_module_file(&declaration, &name, file, dirs)?,
        };
        if is_test_file(&self.shown(&path)) {
            return Ok(());
        }
        // A file named by `#[path]` or `mod.rs` keeps its children beside it; `foo.rs` keeps them in `foo/`.
        let child_dir = if declared_path.is_some() || path.ends_with("mod.rs") {
            path.parent().unwrap_or(&dirs.child_dir).to_path_buf()
        } else {
            path.with_extension("")
        };
        let child = self.child(parent, &name);
        self.load_file(child, &path, child_dir)
    }

    fn find_module_file(
        &self,
        declaration: &ItemMod,
        name: &str,
        file: FileId,
        dirs: &ModuleDirs,
    ) -> Result<PathBuf, StructureError> {
        let flat = dirs.child_dir.join(format!("{name}.rs"));
        let nested = dirs.child_dir.join(name).join("mod.rs");
        [&flat, &nested]
            .into_iter()
            .find(|candidate| candidate.is_file())
            .cloned()
            .ok_or_else(|| StructureError::MissingModule {
                declared_in: self.tree.files[file].path.clone(),
                line: declaration.ident.span().start().line,
                name: name.to_string(),
                looked_for: format!(
                    "{} and {}",
                    self.shown(&flat).display(),
                    self.shown(&nested).display()
                ),
            })
    }

    /// The child module `name` of `parent`, made on first sight (a `#[cfg]` pair declares it twice).
    fn child(&mut self, parent: ModuleId, name: &str) -> ModuleId {
        if let Some(&existing) = self.tree.modules[parent].children.get(name) {
            return existing;
        }
        let id = self.tree.modules.len();
        self.tree
            .modules
            .push(Module::new(name.to_string(), Some(parent)));
        self.tree.modules[parent]
            .children
            .insert(name.to_string(), id);
        id
    }

    fn shown(&self, path: &Path) -> PathBuf {
        path.strip_prefix(self.workspace_root)
            .unwrap_or(path)
            .to_path_buf()
    }
}

/// The file named by `#[path = "file.rs"]`.
fn path_attribute(declaration: &ItemMod) -> Option<String> {
    declaration.attrs.iter().find_map(|attr| match &attr.meta {
        Meta::NameValue(pair) if pair.path.is_ident("path") => match &pair.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: Lit::Str(file),
                ..
            }) => Some(file.value()),
            _ => None,
        },
        _ => None,
    })
}
