//! Geometry of the diagram: tiers of slots (a component, or a pass-through column for a link
//! that skips tiers), their widths, anchors and left edges. Pure arithmetic on `Graph`.

use super::Graph;

/// Columns between neighbouring boxes of a tier.
const GAP: i64 = 3;
/// Columns between a pass-through line and its neighbour.
const PASS_GAP: i64 = 1;
/// Columns between replica boxes.
const REPLICA_GAP: i64 = 2;

/// One thing on a tier.
#[derive(Debug, Clone)]
pub struct Slot {
    /// The component, or `None` for a pass-through column.
    pub node: Option<usize>,
    pub tier: usize,
    /// Left edge, absolute once `Layout::new` is done.
    pub x: i64,
    /// Total width, the note included.
    pub width: i64,
    /// Width of one box (odd for single boxes, so the centre is exact).
    pub box_width: i64,
    /// Box labels, one per replica.
    pub labels: Vec<String>,
    /// Offsets of each box's centre from `x`.
    pub centres: Vec<i64>,
    /// Offset of the column links leave from (the middle of the replicas).
    pub out: i64,
    /// Tie-breaker for ordering: the component index, or the link's source for a pass-through.
    pub order: usize,
}

impl Slot {
    pub fn out_abs(&self) -> i64 {
        self.x + self.out
    }
    pub fn centres_abs(&self) -> impl Iterator<Item = i64> + '_ {
        self.centres.iter().map(|c| self.x + c)
    }
}

/// Tiers of slots and the links between adjacent tiers.
#[derive(Debug, Clone)]
pub struct Layout {
    pub slots: Vec<Slot>,
    /// Slot indices per tier, left to right.
    pub tiers: Vec<Vec<usize>>,
    /// (from slot, to slot), always from one tier to the next.
    pub edges: Vec<(usize, usize)>,
}

impl Layout {
    pub fn new(graph: &Graph<'_>) -> Self {
        let mut layout = Layout {
            slots: Vec::new(),
            tiers: vec![Vec::new(); graph.rank.iter().max().map_or(0, |m| m + 1)],
            edges: Vec::new(),
        };
        let node_slot: Vec<usize> = (0..graph.components.len())
            .map(|i| layout.push(node_slot(graph, i)))
            .collect();
        for &(from, to) in &graph.edges {
            let mut prev = node_slot[from];
            for tier in graph.rank[from] + 1..graph.rank[to] {
                let pass = layout.push(pass_slot(tier, from));
                layout.edges.push((prev, pass));
                prev = pass;
            }
            layout.edges.push((prev, node_slot[to]));
        }
        layout.place();
        layout
    }

    fn push(&mut self, slot: Slot) -> usize {
        let id = self.slots.len();
        self.tiers[slot.tier].push(id);
        self.slots.push(slot);
        id
    }

    /// Columns to keep between two neighbouring slots.
    fn gap(&self, a: usize, b: usize) -> i64 {
        if self.slots[a].node.is_none() || self.slots[b].node.is_none() {
            PASS_GAP
        } else {
            GAP
        }
    }

    /// The parents' mean out-column, for a slot below the first tier.
    fn desired(&self, slot: usize) -> Option<i64> {
        let parents: Vec<i64> = self
            .edges
            .iter()
            .filter(|&&(_, to)| to == slot)
            .map(|&(from, _)| self.slots[from].out_abs())
            .collect();
        let n = i64::try_from(parents.len()).ok().filter(|&n| n > 0)?;
        Some(parents.iter().sum::<i64>().div_euclid(n))
    }

    /// Left edges: the first tier packed from column 0; each later tier ordered by where its
    /// parents are, siblings with the same parents centred under them as a block, blocks
    /// pushed right where they would overlap. Finally everything shifts so the leftmost is 0.
    fn place(&mut self) {
        for t in 0..self.tiers.len() {
            let mut ids = self.tiers[t].clone();
            let wants: Vec<(usize, Option<i64>)> =
                ids.iter().map(|&id| (id, self.desired(id))).collect();
            ids.sort_by_key(|&id| {
                let want = wants.iter().find(|w| w.0 == id).and_then(|w| w.1);
                (want.unwrap_or(i64::MIN), self.slots[id].order, id)
            });
            // The last slot placed on this tier, to keep the next one clear of it.
            let mut last: Option<usize> = None;
            let mut i = 0;
            while i < ids.len() {
                let want = wants.iter().find(|w| w.0 == ids[i]).and_then(|w| w.1);
                let mut j = i + 1;
                while j < ids.len()
                    && wants.iter().find(|w| w.0 == ids[j]).and_then(|w| w.1) == want
                {
                    j += 1;
                }
                // Pack the block, then centre its outer anchors on what the parents want.
                let mut rel = vec![0];
                for k in i + 1..j {
                    let prev = &self.slots[ids[k - 1]];
                    let prev_rel = rel[rel.len() - 1];
                    rel.push(prev_rel + prev.width + self.gap(ids[k - 1], ids[k]));
                }
                let first = rel[0] + self.slots[ids[i]].out;
                let last_anchor = rel[rel.len() - 1] + self.slots[ids[j - 1]].out;
                let mut left = want.map_or(0, |w| w - (first + last_anchor).div_euclid(2));
                if let Some(prev) = last {
                    let clear =
                        self.slots[prev].x + self.slots[prev].width + self.gap(prev, ids[i]);
                    left = left.max(clear);
                }
                for (k, &id) in ids[i..j].iter().enumerate() {
                    self.slots[id].x = left + rel[k];
                }
                last = Some(ids[j - 1]);
                i = j;
            }
            self.tiers[t] = ids;
        }
        let min = self.slots.iter().map(|s| s.x).min().unwrap_or(0);
        for slot in &mut self.slots {
            slot.x -= min;
        }
    }
}

fn width_of(text: &str) -> i64 {
    i64::try_from(text.chars().count()).unwrap_or(i64::MAX / 4)
}

fn node_slot(graph: &Graph<'_>, i: usize) -> Slot {
    let c = &graph.components[i];
    let label = if c.label.trim().is_empty() {
        c.id.trim()
    } else {
        c.label.trim()
    };
    let replicas = c.replicas.unwrap_or(1).max(1);
    let labels: Vec<String> = if replicas > 1 {
        (1..=replicas).map(|k| format!("{label}{k}")).collect()
    } else {
        vec![label.to_owned()]
    };
    let longest = labels.iter().map(|l| width_of(l)).max().unwrap_or(0);
    // Single boxes are roomy like the spec's; replicas are snug so they fit side by side.
    let inner = if replicas > 1 {
        longest + 2
    } else {
        let roomy = (longest + 4).max(9);
        roomy + (roomy + 1) % 2
    };
    let box_width = inner + 2;
    let count = i64::from(replicas);
    let centres: Vec<i64> = (0..count)
        .map(|k| k * (box_width + REPLICA_GAP) + box_width / 2)
        .collect();
    let boxes = count * box_width + (count - 1) * REPLICA_GAP;
    let note = c
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map_or(0, |n| width_of(n) + 3);
    Slot {
        node: Some(i),
        tier: graph.rank[i],
        x: 0,
        width: boxes + note,
        box_width,
        labels,
        out: i64::midpoint(centres[0], centres[centres.len() - 1]),
        centres,
        order: i,
    }
}

fn pass_slot(tier: usize, source: usize) -> Slot {
    Slot {
        node: None,
        tier,
        x: 0,
        width: 1,
        box_width: 1,
        labels: Vec::new(),
        centres: vec![0],
        out: 0,
        order: source,
    }
}
