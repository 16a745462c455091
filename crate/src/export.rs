//! A search's results as CSV: the ranked candidates and the front, each with NAS-Bench-201's true
//! accuracies where there is a ground truth. One writer for the CLI (`search --csv`, `pareto
//! --csv`) and the page's Export CSV, so that the same search gives the same file. Architectures
//! need no quoting: their names hold no comma.

use crate::assets::GroundTruth;
use crate::evolve::{Candidate, FrontMember};

const TRUTH_HEAD: &str = ",cifar10,cifar100,imagenet16";

/// `,a,b,c` for a cell's three accuracies, `,,,` without them; nothing without a ground truth.
fn truth_cells(truth: Option<&GroundTruth>, index: Option<usize>) -> String {
    match (truth, index) {
        (None, _) => String::new(),
        (Some(t), Some(i)) => format!(",{},{},{}", t.cifar10[i], t.cifar100[i], t.imagenet16[i]),
        (Some(_), None) => ",,,".to_string(),
    }
}

fn index_cell(index: Option<usize>) -> String {
    index.map_or(String::new(), |i| i.to_string())
}

/// Every ranked candidate, best first: `rank,arch,index,cost,measured,rmi,replicates,fitness,feasible`
/// and, with a ground truth, the three accuracies.
pub fn candidates_csv(ranked: &[Candidate], truth: Option<&GroundTruth>) -> String {
    let mut out = String::from("rank,arch,index,cost,measured,rmi,replicates,fitness,feasible");
    out += if truth.is_some() { TRUTH_HEAD } else { "" };
    out.push('\n');
    for (rank, c) in ranked.iter().enumerate() {
        out += &format!(
            "{},{},{},{},{},{},{},{},{}{}\n",
            rank + 1,
            c.arch,
            index_cell(c.index),
            c.cost,
            c.measured,
            c.rmi,
            c.replicates,
            c.fitness,
            c.feasible,
            truth_cells(truth, c.index)
        );
    }
    out
}

/// The front, cheapest first: `arch,index,rmi,replicates,cost,measured` and, with a ground truth,
/// the three accuracies.
pub fn front_csv(front: &[FrontMember], truth: Option<&GroundTruth>) -> String {
    let mut out = String::from("arch,index,rmi,replicates,cost,measured");
    out += if truth.is_some() { TRUTH_HEAD } else { "" };
    out.push('\n');
    for m in front {
        out += &format!(
            "{},{},{},{},{},{}{}\n",
            m.arch,
            index_cell(m.index),
            m.rmi,
            m.replicates,
            m.cost,
            m.measured,
            truth_cells(truth, m.index)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(arch: &str, index: Option<usize>) -> FrontMember {
        FrontMember {
            arch: arch.to_string(),
            index,
            rmi: 2.5,
            replicates: 3,
            cost: 1.25,
            measured: true,
        }
    }

    #[test]
    fn the_front_with_and_without_the_truth() {
        let truth = GroundTruth {
            cifar10: vec![90.5, 91.0],
            cifar100: vec![70.25, 71.0],
            imagenet16: vec![40.0, 41.5],
        };
        let front = [member("|a~0|", Some(1)), member("|b~0|", None)];
        assert_eq!(
            front_csv(&front, Some(&truth)),
            "arch,index,rmi,replicates,cost,measured,cifar10,cifar100,imagenet16\n|a~0|,1,2.5,3,1.25,true,91,71,41.5\n|b~0|,,2.5,3,1.25,true,,,\n"
        );
        assert_eq!(
            front_csv(&front[..1], None),
            "arch,index,rmi,replicates,cost,measured\n|a~0|,1,2.5,3,1.25,true\n"
        );
    }
}
