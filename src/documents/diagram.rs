//! The architecture diagram of an overview, drawn with box-drawing characters from
//! `components` and `links`, in the spec's style: one tier per row of boxes, `│` and `▼` between
//! tiers, replicas side by side, a component with several children fanning out.
//!
//! Layout is a small layered drawing: validate ids and find a topological order (a cycle is an
//! input error naming it), put each component on the tier after its deepest parent, route links
//! that skip tiers through pass-through columns, then place tiers left to right, centring
//! children under their parents. `layout` does the geometry; `canvas` paints it. Pure.

mod canvas;
mod layout;

use std::collections::HashMap;

use super::overview::Component;

/// Why a diagram cannot be drawn: the input is wrong (exit 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiagramError {
    #[error("components[{index}]: the id is empty")]
    EmptyId { index: usize },
    #[error("components[{index}]: the id `{id}` is used twice")]
    DuplicateId { index: usize, id: String },
    #[error("links[{index}]: unknown component id `{id}` (known: {known})")]
    UnknownId {
        index: usize,
        id: String,
        known: String,
    },
    #[error("links form a cycle: {0} (a diagram flows top to bottom, so links must not loop)")]
    Cycle(String),
}

/// Validated graph: component indices and deduplicated edges.
pub(crate) struct Graph<'a> {
    pub components: &'a [Component],
    pub edges: Vec<(usize, usize)>,
    /// Tier of each component: one below its deepest parent.
    pub rank: Vec<usize>,
}

/// Draws the diagram. The text ends with a newline; lines carry no trailing spaces.
pub fn draw(components: &[Component], links: &[[String; 2]]) -> Result<String, DiagramError> {
    let graph = build(components, links)?;
    let layout = layout::Layout::new(&graph);
    Ok(canvas::paint(&graph, &layout))
}

fn build<'a>(
    components: &'a [Component],
    links: &[[String; 2]],
) -> Result<Graph<'a>, DiagramError> {
    let mut ids: HashMap<&str, usize> = HashMap::new();
    for (index, c) in components.iter().enumerate() {
        let id = c.id.trim();
        if id.is_empty() {
            return Err(DiagramError::EmptyId { index });
        }
        if ids.insert(id, index).is_some() {
            return Err(DiagramError::DuplicateId {
                index,
                id: id.to_owned(),
            });
        }
    }
    let known = || {
        components
            .iter()
            .map(|c| c.id.trim())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut edges = Vec::new();
    for (index, [from, to]) in links.iter().enumerate() {
        let find = |id: &str| {
            ids.get(id.trim())
                .copied()
                .ok_or_else(|| DiagramError::UnknownId {
                    index,
                    id: id.to_owned(),
                    known: known(),
                })
        };
        let edge = (find(from)?, find(to)?);
        if !edges.contains(&edge) {
            edges.push(edge);
        }
    }
    let order = topological_order(components, &edges)?;
    let mut rank = vec![0; components.len()];
    for &v in &order {
        for &(from, to) in &edges {
            if to == v {
                rank[v] = rank[v].max(rank[from] + 1);
            }
        }
    }
    Ok(Graph {
        components,
        edges,
        rank,
    })
}

/// Kahn's algorithm, stable in input order. A leftover node lies on or below a cycle; walking
/// parents among the leftovers must revisit a node, and that loop is the cycle reported.
fn topological_order(
    components: &[Component],
    edges: &[(usize, usize)],
) -> Result<Vec<usize>, DiagramError> {
    let n = components.len();
    let mut indegree = vec![0usize; n];
    for &(_, to) in edges {
        indegree[to] += 1;
    }
    let mut order = Vec::with_capacity(n);
    let mut done = vec![false; n];
    while let Some(v) = (0..n).find(|&v| !done[v] && indegree[v] == 0) {
        done[v] = true;
        order.push(v);
        for &(from, to) in edges {
            if from == v {
                indegree[to] -= 1;
            }
        }
    }
    let Some(start) = (0..n).find(|&v| !done[v]) else {
        return Ok(order);
    };
    let mut walk = vec![start];
    let mut current = start;
    loop {
        // A leftover node always has a leftover parent (its indegree never reached zero).
        let parent = edges
            .iter()
            .find(|&&(from, to)| to == current && !done[from])
            .map_or(current, |&(from, _)| from);
        if let Some(pos) = walk.iter().position(|&v| v == parent) {
            let mut cycle: Vec<&str> = walk[pos..]
                .iter()
                .rev()
                .map(|&v| components[v].id.trim())
                .collect();
            cycle.push(components[walk[walk.len() - 1]].id.trim());
            return Err(DiagramError::Cycle(cycle.join(" → ")));
        }
        walk.push(parent);
        current = parent;
    }
}

#[cfg(test)]
mod tests;
