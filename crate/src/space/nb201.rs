//! The NAS-Bench-201 cell: 4 nodes, an op on each of the 6 edges j→i (j < i).
//!
//! Canonical string: `|op~0|+|op~0|op~1|+|op~0|op~1|op~2|`, edges in the order
//! (1←0), (2←0), (2←1), (3←0), (3←1), (3←2) — also the order of our genes.
//!
//! NAS-Bench-201 numbers its 15,625 cells in the order they were trained, which is not a simple
//! enumeration; the mapping is a table (`static/nb201/index_order.bin`, written by `evrsnas assets`
//! from the benchmark's own list) compiled into the library, since it defines the space.

use crate::{bail, Result};

pub const EDGES: usize = 6;
pub const CELLS: usize = 15_625;
pub const OPS: [&str; 5] = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"];
/// (to, from) node of each gene.
pub const EDGE_NODES: [(usize, usize); EDGES] = [(1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2)];

/// NB201 index → canonical rank (genes read as a base-5 number, first edge most significant),
/// as little-endian u16.
const INDEX_ORDER: &[u8] = include_bytes!("../../../static/nb201/index_order.bin");

/// The table decoded and checked when the library is compiled: a corrupt `index_order.bin` is a
/// build error, never a panic at run time.
static RANK_OF_INDEX: [u16; CELLS] = decode_ranks(INDEX_ORDER);
static INDEX_OF_RANK: [u16; CELLS] = invert(&decode_ranks(INDEX_ORDER));

const fn decode_ranks(bytes: &[u8]) -> [u16; CELLS] {
    assert!(
        bytes.len() == 2 * CELLS,
        "index_order.bin must hold 15,625 little-endian u16 values"
    );
    let mut ranks = [0u16; CELLS];
    let mut i = 0;
    while i < CELLS {
        ranks[i] = u16::from_le_bytes([bytes[2 * i], bytes[2 * i + 1]]);
        i += 1;
    }
    ranks
}

/// The inverse permutation; panics (at compile time, for the bundled table) unless `ranks` is one.
const fn invert(ranks: &[u16; CELLS]) -> [u16; CELLS] {
    let mut index = [u16::MAX; CELLS];
    let mut i = 0;
    while i < CELLS {
        let rank = ranks[i] as usize;
        assert!(
            rank < CELLS && index[rank] == u16::MAX,
            "index_order.bin is not a permutation"
        );
        index[rank] = i as u16;
        i += 1;
    }
    index
}

/// Which edges the cell's output depends on: those on a path from node 0 to node 3 through no
/// `none` (op 0). An edge out of a node the input cannot reach, or into one that reaches nothing,
/// computes what no one reads.
pub fn live_edges(genes: &[u8]) -> [bool; EDGES] {
    let open = |e: usize| genes.get(e).is_some_and(|&g| g != 0);
    let mut from_input = [true, false, false, false];
    for (e, &(to, from)) in EDGE_NODES.iter().enumerate() {
        from_input[to] |= from_input[from] && open(e);
    }
    let mut to_output = [false, false, false, true];
    for (e, &(to, from)) in EDGE_NODES.iter().enumerate().rev() {
        to_output[from] |= to_output[to] && open(e);
    }
    std::array::from_fn(|e| {
        let (to, from) = EDGE_NODES[e];
        open(e) && from_input[from] && to_output[to]
    })
}

/// Genes read as a base-5 number, first edge most significant.
pub fn rank_of(genes: &[u8]) -> usize {
    genes.iter().fold(0, |r, &g| r * OPS.len() + g as usize)
}

fn genes_of_rank(mut rank: usize) -> Vec<u8> {
    let mut genes = vec![0u8; EDGES];
    for g in genes.iter_mut().rev() {
        *g = (rank % OPS.len()) as u8;
        rank /= OPS.len();
    }
    genes
}

/// The NAS-Bench-201 index of a cell.
pub fn index_of(genes: &[u8]) -> usize {
    INDEX_OF_RANK[rank_of(genes)] as usize
}

/// The genes of the cell with a NAS-Bench-201 index.
pub fn genes_of_index(index: usize) -> Result<Vec<u8>> {
    if index >= CELLS {
        bail!("NAS-Bench-201 index {index} out of range (0..{})", CELLS - 1)
    }
    Ok(genes_of_rank(RANK_OF_INDEX[index] as usize))
}

/// Builds the index table from cell strings listed in NB201 index order (the asset tool's input).
pub fn index_order_bytes(cells_in_index_order: &[String]) -> Result<Vec<u8>> {
    if cells_in_index_order.len() != CELLS {
        bail!(
            "expected {CELLS} NAS-Bench-201 cells, got {}",
            cells_in_index_order.len()
        )
    }
    let mut seen = vec![false; CELLS];
    let mut out = Vec::with_capacity(2 * CELLS);
    for s in cells_in_index_order {
        let rank = rank_of(&parse(s)?);
        if std::mem::replace(&mut seen[rank], true) {
            bail!("cell {s} is listed twice")
        }
        out.extend_from_slice(&(rank as u16).to_le_bytes());
    }
    Ok(out)
}

/// Parses `|op~0|+|op~0|op~1|+|op~0|op~1|op~2|`, or a NAS-Bench-201 index given as a number.
pub fn parse(s: &str) -> Result<Vec<u8>> {
    let s = s.trim();
    if let Ok(index) = s.parse::<usize>() {
        return genes_of_index(index);
    }
    let nodes: Vec<&str> = s.split('+').collect();
    if nodes.len() != 3 {
        bail!("malformed NAS-Bench-201 cell '{s}': expected 3 nodes separated by '+'")
    }
    let mut genes = Vec::with_capacity(EDGES);
    for (i, node) in nodes.iter().enumerate() {
        let inner = node
            .strip_prefix('|')
            .and_then(|n| n.strip_suffix('|'))
            .ok_or_else(|| crate::Error::Invalid(format!("malformed node '{node}' in '{s}'")))?;
        let edges: Vec<&str> = inner.split('|').collect();
        if edges.len() != i + 1 {
            bail!("node {} of '{s}' needs {} inputs, got {}", i + 1, i + 1, edges.len())
        }
        for (j, edge) in edges.iter().enumerate() {
            let (op, from) = edge
                .split_once('~')
                .ok_or_else(|| crate::Error::Invalid(format!("malformed edge '{edge}' in '{s}'")))?;
            if from != j.to_string() {
                bail!("edge '{edge}' of node {} must come from node {j}", i + 1)
            }
            let code = OPS
                .iter()
                .position(|&o| o == op)
                .ok_or_else(|| crate::Error::Invalid(format!("unknown NAS-Bench-201 op '{op}'")))?;
            genes.push(code as u8);
        }
    }
    Ok(genes)
}

/// Prints the canonical string.
pub fn format(genes: &[u8]) -> String {
    let mut s = String::new();
    let mut k = 0;
    for node in 1..4 {
        if node > 1 {
            s.push('+');
        }
        s.push('|');
        for from in 0..node {
            s.push_str(OPS[genes[k] as usize]);
            s.push('~');
            s.push_str(&from.to_string());
            s.push('|');
            k += 1;
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_zero_and_one_match_the_benchmark() {
        assert_eq!(
            format(&genes_of_index(0).unwrap()),
            "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|"
        );
        let one = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|";
        assert_eq!(index_of(&parse(one).unwrap()), 1);
    }

    #[test]
    #[should_panic(expected = "not a permutation")]
    fn a_table_that_is_no_permutation_is_refused() {
        let mut ranks = [0u16; CELLS];
        ranks.iter_mut().enumerate().for_each(|(i, r)| *r = i as u16);
        ranks[7] = ranks[8];
        invert(&ranks);
    }

    #[test]
    fn every_index_round_trips() {
        for index in 0..CELLS {
            let genes = genes_of_index(index).unwrap();
            assert_eq!(index_of(&genes), index);
            assert_eq!(parse(&format(&genes)).unwrap(), genes);
        }
        assert!(genes_of_index(CELLS).is_err());
    }

    #[test]
    fn malformed_strings_are_errors() {
        for bad in [
            "",
            "|none~0|",
            "|none~0|+|none~0|none~1|+|none~0|none~1|",
            "|none~1|+|none~0|none~1|+|none~0|none~1|none~2|",
            "|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|",
            "none~0|+|none~0|none~1|+|none~0|none~1|none~2|",
            "99999",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
