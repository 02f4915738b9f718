//! Module cycles. For each module with children, the graph of its children: one depends on a sibling when
//! code anywhere in its subtree refers to something in the sibling's subtree. A parent's references to its
//! own children (`pub use child::X`) and a child's to its parent's own items are no edge. Every strongly
//! connected component (Tarjan) of more than one child is a cycle.

use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::path::PathBuf;

use super::location::Location;
use super::module_tree::ModuleId;
use super::module_tree::ModuleTree;
use super::path_resolution::Resolution;
use super::references::Reference;

pub struct Cycle {
    /// The root file of the tree the cycle is in: `core/src/lib.rs`.
    pub root_file: PathBuf,
    /// The module whose children form the cycle: `crate::tools`.
    pub parent: String,
    pub members: Vec<String>,
    pub edges: Vec<Edge>,
}

pub struct Edge {
    pub from: String,
    pub to: String,
    pub references: usize,
    pub example: Example,
}

/// One reference behind an edge, for a developer to find what to move.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Example {
    /// A reference through an import (`crate::X` re-exported from `tools`) sorts after a direct one.
    pub via: Option<Location>,
    pub location: Location,
    pub path: String,
}

#[derive(Default)]
struct Evidence {
    references: usize,
    example: Option<Example>,
}

/// The sibling graphs: parent module -> (child, child it depends on) -> evidence.
type SiblingGraphs = BTreeMap<ModuleId, BTreeMap<(ModuleId, ModuleId), Evidence>>;

pub(super) fn find_cycles(tree: &ModuleTree, resolved: &[(Reference, Resolution)]) -> Vec<Cycle> {
    let mut graphs = SiblingGraphs::new();
    for (reference, resolution) in resolved {
        let Some((parent, from, to)) = sibling_edge(tree, reference.module, resolution.module)
        else {
            continue;
        };
        let evidence = graphs
            .entry(parent)
            .or_default()
            .entry((from, to))
            .or_default();
        evidence.references += 1;
        let example = Example {
            via: resolution.via.clone(),
            location: reference.location.clone(),
            path: reference.text(),
        };
        if evidence.example.as_ref().is_none_or(|best| example < *best) {
            evidence.example = Some(example);
        }
    }
    let mut cycles = Vec::new();
    for (parent, edges) in &graphs {
        for component in strongly_connected(edges.keys().copied()) {
            cycles.push(describe(tree, *parent, &component, edges));
        }
    }
    cycles
}

/// The parent and the two of its children that a reference from `from` landing in `to` connects, if the two
/// modules sit in different children of their nearest common ancestor.
fn sibling_edge(
    tree: &ModuleTree,
    from: ModuleId,
    to: ModuleId,
) -> Option<(ModuleId, ModuleId, ModuleId)> {
    let from_chain = tree.ancestry(from);
    let to_chain = tree.ancestry(to);
    let shared = from_chain
        .iter()
        .zip(&to_chain)
        .take_while(|(a, b)| a == b)
        .count();
    // One is the other's ancestor (or both are one module): ownership or a parent's own item, not an edge.
    let (&from_child, &to_child) = (from_chain.get(shared)?, to_chain.get(shared)?);
    Some((from_chain[shared - 1], from_child, to_child))
}

fn describe(
    tree: &ModuleTree,
    parent: ModuleId,
    component: &BTreeSet<ModuleId>,
    edges: &BTreeMap<(ModuleId, ModuleId), Evidence>,
) -> Cycle {
    let name = |module: ModuleId| tree.module(module).name.clone();
    let mut members: Vec<String> = component.iter().map(|&module| name(module)).collect();
    members.sort();
    let mut cycle_edges: Vec<Edge> = edges
        .iter()
        .filter(|((from, to), _)| component.contains(from) && component.contains(to))
        .filter_map(|(&(from, to), evidence)| {
            Some(Edge {
                from: name(from),
                to: name(to),
                references: evidence.references,
                example: evidence.example.clone()?,
            })
        })
        .collect();
    cycle_edges.sort_by(|a, b| (&a.from, &a.to).cmp(&(&b.from, &b.to)));
    Cycle {
        root_file: tree.root_file().to_path_buf(),
        parent: tree.display_path(parent),
        members,
        edges: cycle_edges,
    }
}

/// The strongly connected components of more than one node, by Tarjan's algorithm.
fn strongly_connected(edges: impl Iterator<Item = (usize, usize)>) -> Vec<BTreeSet<usize>> {
    let mut adjacency: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (from, to) in edges {
        adjacency.entry(from).or_default().push(to);
        adjacency.entry(to).or_default();
    }
    let mut tarjan = Tarjan {
        adjacency: &adjacency,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        components: Vec::new(),
    };
    for &node in adjacency.keys() {
        if !tarjan.index.contains_key(&node) {
            tarjan.connect(node);
        }
    }
    tarjan
        .components
        .into_iter()
        .filter(|component| component.len() > 1)
        .collect()
}

struct Tarjan<'a> {
    adjacency: &'a BTreeMap<usize, Vec<usize>>,
    index: BTreeMap<usize, usize>,
    low: BTreeMap<usize, usize>,
    stack: Vec<usize>,
    on_stack: BTreeSet<usize>,
    components: Vec<BTreeSet<usize>>,
}

impl Tarjan<'_> {
    fn connect(&mut self, node: usize) {
        let order = self.index.len();
        self.index.insert(node, order);
        self.low.insert(node, order);
        self.stack.push(node);
        self.on_stack.insert(node);
        for &next in &self.adjacency[&node] {
            if !self.index.contains_key(&next) {
                self.connect(next);
                let reachable = self.low[&next].min(self.low[&node]);
                self.low.insert(node, reachable);
            } else if self.on_stack.contains(&next) {
                let reachable = self.index[&next].min(self.low[&node]);
                self.low.insert(node, reachable);
            }
        }
        if self.low[&node] == self.index[&node] {
            let mut component = BTreeSet::new();
            while let Some(member) = self.stack.pop() {
                self.on_stack.remove(&member);
                component.insert(member);
                if member == node {
                    break;
                }
            }
            self.components.push(component);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tarjan_finds_each_component_of_more_than_one_node() {
        let edges = [
            (1, 2),
            (2, 3),
            (3, 1),
            (3, 4),
            (4, 5),
            (5, 4),
            (6, 6),
            (7, 1),
        ];
        let mut components = strongly_connected(edges.into_iter());
        components.sort();
        assert_eq!(
            components,
            vec![BTreeSet::from([1, 2, 3]), BTreeSet::from([4, 5])]
        );
    }
}
