//! A search's results as files, one writer for the CLI and the page, so that the same search
//! gives the same file: [`Results`] (JSON: the CLI's `search --json` and the page's Export JSON)
//! and CSV, the ranked candidates and the front (`search --csv`, `pareto --csv`, the page's Export
//! CSV), with NAS-Bench-201's true accuracies where there is a ground truth. Architectures need no
//! quoting: their names hold no comma.

use crate::assets::GroundTruth;
use crate::evolve::{Candidate, FrontMember, GenerationStats, Mode, Search};
use serde::Serialize;

/// A candidate with its true CIFAR-10, CIFAR-100 and ImageNet16-120 accuracies (NB201).
#[derive(Clone, Debug, Serialize)]
pub struct WithTruth<T> {
    #[serde(flatten)]
    pub item: T,
    pub truth: Option<[f32; 3]>,
}

/// `item` of the cell `index` with its accuracies, if there is a ground truth.
pub fn with_truth<T>(item: T, index: Option<usize>, truth: Option<&GroundTruth>) -> WithTruth<T> {
    let truth = match (truth, index) {
        (Some(t), Some(i)) => Some([t.cifar10[i], t.cifar100[i], t.imagenet16[i]]),
        _ => None,
    };
    WithTruth { item, truth }
}

/// What a search found: its best candidate, its counts and its history; with every ranked
/// candidate (and, in the Pareto mode, the front) where the export asks for them.
#[derive(Clone, Debug, Serialize)]
pub struct Results {
    pub best: Option<Candidate>,
    pub evaluations: usize,
    pub trials: usize,
    /// Architectures a screen scored without (fully) training them; absent without a screen.
    #[serde(skip_serializing_if = "is_zero")]
    pub screenings: usize,
    pub history: Vec<GenerationStats>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub candidates: Option<Vec<WithTruth<Candidate>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub front: Option<Vec<WithTruth<FrontMember>>>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Results {
    /// The summary the CLI prints.
    pub fn of(search: &Search) -> Self {
        Self {
            best: search.best(),
            evaluations: search.evaluations(),
            trials: search.trials(),
            screenings: search.screenings(),
            history: search.history().to_vec(),
            candidates: None,
            front: None,
        }
    }

    /// Everything: the summary, every ranked candidate and the Pareto mode's front, with the truth.
    pub fn full(search: &Search, truth: Option<&GroundTruth>) -> Self {
        let ranked = search.ranked().into_iter().map(|c| {
            let index = c.index;
            with_truth(c, index, truth)
        });
        let front = (search.config().mode == Mode::Pareto).then(|| {
            search
                .front()
                .into_iter()
                .map(|m| {
                    let index = m.index;
                    with_truth(m, index, truth)
                })
                .collect()
        });
        Self {
            candidates: Some(ranked.collect()),
            front,
            ..Self::of(search)
        }
    }
}

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
            complexity: 0.5,
        }
    }

    #[test]
    fn what_the_page_gets_many_times_a_second_has_single_word_fields() {
        // The wasm glue sends ranked candidates and fronts without renaming them to camelCase.
        let candidate = Candidate {
            arch: "|a~0|".into(),
            index: Some(1),
            rmi: 1.0,
            replicates: 1,
            cost: 1.0,
            measured: true,
            complexity: 0.5,
            fitness: 1.0,
            feasible: true,
        };
        let keys = |v: serde_json::Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        let all = [
            keys(serde_json::to_value(with_truth(candidate, Some(0), None)).unwrap()),
            keys(serde_json::to_value(with_truth(member("|a~0|", None), None, None)).unwrap()),
        ];
        for k in all.concat() {
            assert!(!k.contains('_'), "{k}");
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
