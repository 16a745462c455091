//! Hardware cost of the *full-size* network of an architecture on an edge device (HW-NAS-Bench).
//!
//! One cost file per search space (`static/costs/<space>.bin`) holds a table per (device, metric):
//!
//! ```text
//! b"EVRSCOST" | u32 LE format version (2) | u32 LE header length | header (JSON) | payload
//! ```
//! The header is a [`CostFileHeader`]; each table's figures sit in the payload at `offset`:
//! - `per_arch`: `count` f64 LE values in architecture order (NB201 index), then `count` flag bytes
//!   (1 = measured by HW-NAS-Bench, 0 = estimated by our fitted model);
//! - `per_arch_model` (a table with estimates, compact): `count` flag bytes as above, the measured
//!   figures (f64 LE, in index order), then the [`LatencyModel`] that gives the others: its
//!   [`LatencyModel::FEATURES`] weights and its floor (f64 LE). The estimates are computed again
//!   on loading, bit for bit, and so are not sent (two thirds of the file, gzipped, before);
//! - `additive`: `1 + layers·ops` f64 LE values, BASE then per-(layer, op) deltas, layer-major;
//!   cost = BASE + Σ_layer delta[layer, op]. All such figures count as measured (the table is exact).

use crate::space::{Arch, Space};
use crate::{bail, Result};
use serde::{Deserialize, Serialize};

mod model;
pub use model::LatencyModel;

const MAGIC: &[u8; 8] = b"EVRSCOST";
const VERSION: u32 = 2;

crate::named_enum! {
    /// The six HW-NAS-Bench devices.
    pub enum Device: "device" {
        EdgeGpu = "edgegpu" => "NVIDIA Jetson TX2 (edge GPU)",
        Raspi4 = "raspi4" => "Raspberry Pi 4",
        EdgeTpu = "edgetpu" => "Google Edge TPU",
        Pixel3 = "pixel3" => "Google Pixel 3",
        Eyeriss = "eyeriss" => "Eyeriss (ASIC)",
        Fpga = "fpga" => "FPGA",
    }
}

crate::named_enum! {
    /// What a cost table measures. HW-NAS-Bench also has energy figures, but none are available
    /// here (`CostBook::unavailable` says so), so latency is the only metric.
    pub enum Metric: "metric" {
        Latency = "latency" => "latency",
    }
}

/// Held-out accuracy of the model that estimates missing figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FitQuality {
    pub model: String,
    pub kendall_tau: f64,
    pub mape_percent: f64,
    pub held_out: usize,
}

/// Description of one table in a cost file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TableHeader {
    pub device: Device,
    pub metric: Metric,
    pub unit: String,
    /// `per_arch` or `additive`.
    pub kind: String,
    /// Number of f64 values.
    pub count: usize,
    /// Byte offset of the values in the payload.
    pub offset: usize,
    pub measured: usize,
    pub source: String,
    pub fit: Option<FitQuality>,
    /// Smallest and largest cost over the whole space.
    pub range: [f64; 2],
}

impl TableHeader {
    /// A latency table in ms; `kind`, `count` and `offset` are filled in when the file is written.
    pub fn latency_ms(device: Device, measured: usize, source: &str, fit: Option<FitQuality>, range: [f64; 2]) -> Self {
        Self {
            device,
            metric: Metric::Latency,
            unit: "ms".into(),
            kind: String::new(),
            count: 0,
            offset: 0,
            measured,
            source: source.into(),
            fit,
            range,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CostFileHeader {
    pub space: Space,
    pub tables: Vec<TableHeader>,
    /// What the file cannot offer (e.g. energy), in words for the user.
    pub unavailable: String,
}

#[derive(Clone, Debug, PartialEq)]
enum Figures {
    /// `model`: what estimated the figures not measured, when some are.
    PerArch {
        values: Vec<f64>,
        measured: Vec<bool>,
        model: Option<LatencyModel>,
    },
    Additive {
        base: f64,
        deltas: Vec<f64>,
    },
}

/// The cost of an architecture, and whether HW-NAS-Bench measured it or we estimated it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cost {
    pub value: f64,
    pub measured: bool,
}

/// One (space, device, metric) table.
#[derive(Clone, Debug, PartialEq)]
pub struct CostTable {
    pub header: TableHeader,
    space: Space,
    figures: Figures,
}

impl CostTable {
    /// The search space whose architectures this table prices.
    pub fn space(&self) -> Space {
        self.space
    }

    /// A table with one figure per architecture, in the space's index order.
    pub fn per_arch(space: Space, header: TableHeader, values: Vec<f64>, measured: Vec<bool>) -> Result<Self> {
        if space != Space::Nb201 {
            bail!("per-architecture tables exist for nb201 only")
        }
        if values.len() != crate::space::nb201::CELLS || measured.len() != values.len() {
            bail!(
                "an nb201 cost table needs {} figures, got {}",
                crate::space::nb201::CELLS,
                values.len()
            )
        }
        check_finite(&values)?;
        Ok(Self {
            header,
            space,
            figures: Figures::PerArch {
                values,
                measured,
                model: None,
            },
        })
    }

    /// A per-architecture table whose missing figures (`None`) `model` estimates.
    pub fn per_arch_estimated(
        space: Space,
        header: TableHeader,
        measured: &[Option<f64>],
        model: LatencyModel,
    ) -> Result<Self> {
        check_finite(&model.weights)?;
        check_finite(&[model.floor])?;
        let values = model.complete(measured)?;
        let flags = measured.iter().map(Option::is_some).collect();
        let mut table = Self::per_arch(space, header, values, flags)?;
        if let Figures::PerArch { model: slot, .. } = &mut table.figures {
            *slot = Some(model);
        }
        Ok(table)
    }

    /// An additive per-layer table: cost = base + Σ deltas[layer·ops + op].
    pub fn additive(space: Space, header: TableHeader, base: f64, deltas: Vec<f64>) -> Result<Self> {
        if deltas.len() != space.genes() * space.choices() {
            bail!(
                "an additive {space} table needs {} deltas, got {}",
                space.genes() * space.choices(),
                deltas.len()
            )
        }
        check_finite(&deltas)?;
        check_finite(&[base])?;
        Ok(Self {
            header,
            space,
            figures: Figures::Additive { base, deltas },
        })
    }

    pub fn cost(&self, arch: &Arch) -> Result<Cost> {
        if arch.space() != self.space {
            bail!(
                "a {} cost table cannot price a {} architecture",
                self.space,
                arch.space()
            )
        }
        Ok(match &self.figures {
            Figures::PerArch { values, measured, .. } => {
                let i = arch.nb201_index().expect("nb201 has an index");
                Cost {
                    value: values[i],
                    measured: measured[i],
                }
            }
            Figures::Additive { base, deltas } => {
                let ops = self.space.choices();
                let value = base
                    + arch
                        .genes()
                        .iter()
                        .enumerate()
                        .map(|(l, &g)| deltas[l * ops + g as usize])
                        .sum::<f64>();
                Cost { value, measured: true }
            }
        })
    }

    /// The figures in NAS-Bench-201 index order, for tables that have one per architecture.
    pub fn per_arch_values(&self) -> Option<&[f64]> {
        match &self.figures {
            Figures::PerArch { values, .. } => Some(values),
            Figures::Additive { .. } => None,
        }
    }
}

fn check_finite(v: &[f64]) -> Result<()> {
    match v.iter().position(|x| !x.is_finite()) {
        Some(i) => bail!("cost figure {i} is not a finite number"),
        None => Ok(()),
    }
}

/// All cost tables of one search space.
#[derive(Clone, Debug, PartialEq)]
pub struct CostBook {
    pub space: Space,
    pub tables: Vec<CostTable>,
    pub unavailable: String,
}

impl CostBook {
    /// The table for (device, metric), or an error saying what is available instead.
    pub fn table(&self, device: Device, metric: Metric) -> Result<&CostTable> {
        match self
            .tables
            .iter()
            .find(|t| t.header.device == device && t.header.metric == metric)
        {
            Some(t) => Ok(t),
            None => bail!(
                "no {metric} figures for {device} in the {} space; available: {}. {}",
                self.space,
                self.tables
                    .iter()
                    .map(|t| format!("{}/{}", t.header.device, t.header.metric))
                    .collect::<Vec<_>>()
                    .join(", "),
                self.unavailable
            ),
        }
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut payload = vec![];
        let mut headers = vec![];
        for t in &self.tables {
            let mut h = t.header.clone();
            h.offset = payload.len();
            match &t.figures {
                Figures::PerArch {
                    values,
                    measured,
                    model: None,
                } => {
                    h.kind = "per_arch".into();
                    h.count = values.len();
                    values.iter().for_each(|v| payload.extend_from_slice(&v.to_le_bytes()));
                    payload.extend(measured.iter().map(|&m| m as u8));
                }
                Figures::PerArch {
                    values,
                    measured,
                    model: Some(model),
                } => {
                    h.kind = "per_arch_model".into();
                    h.count = values.len();
                    payload.extend(measured.iter().map(|&m| m as u8));
                    let known = values.iter().zip(measured).filter(|(_, &m)| m).map(|(v, _)| v);
                    known
                        .chain(&model.weights)
                        .chain(std::iter::once(&model.floor))
                        .for_each(|v| payload.extend_from_slice(&v.to_le_bytes()));
                }
                Figures::Additive { base, deltas } => {
                    h.kind = "additive".into();
                    h.count = 1 + deltas.len();
                    std::iter::once(base)
                        .chain(deltas)
                        .for_each(|v| payload.extend_from_slice(&v.to_le_bytes()));
                }
            }
            headers.push(h);
        }
        let header = CostFileHeader {
            space: self.space,
            tables: headers,
            unavailable: self.unavailable.clone(),
        };
        let json = serde_json::to_vec(&header).expect("cost header serialises");
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.extend_from_slice(&(json.len() as u32).to_le_bytes());
        out.extend(json);
        out.extend(payload);
        out
    }

    pub fn decode(bytes: &[u8]) -> Result<Self> {
        let corrupt = |why: &str| crate::Error::Invalid(format!("corrupt cost file: {why}"));
        if bytes.len() < 16 || &bytes[..8] != MAGIC {
            return Err(corrupt("bad magic"));
        }
        let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
        if version != VERSION {
            return Err(corrupt(&format!("format version {version}, expected {VERSION}")));
        }
        let len = u32::from_le_bytes(bytes[12..16].try_into().expect("4 bytes")) as usize;
        let json = 16usize
            .checked_add(len)
            .and_then(|end| bytes.get(16..end))
            .ok_or_else(|| corrupt("truncated header"))?;
        let header: CostFileHeader = serde_json::from_slice(json).map_err(|e| corrupt(&e.to_string()))?;
        let payload = &bytes[16 + len..];
        let f64s = |offset: usize, count: usize| -> Result<Vec<f64>> {
            let raw = count
                .checked_mul(8)
                .and_then(|n| offset.checked_add(n))
                .and_then(|end| payload.get(offset..end))
                .ok_or_else(|| corrupt("truncated figures"))?;
            Ok(raw
                .chunks_exact(8)
                .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")))
                .collect())
        };
        let mut tables = vec![];
        for h in header.tables {
            let table = match h.kind.as_str() {
                "per_arch" => {
                    let values = f64s(h.offset, h.count)?;
                    let flags_at = h.offset + 8 * h.count;
                    let flags = payload
                        .get(flags_at..flags_at + h.count)
                        .ok_or_else(|| corrupt("truncated flags"))?;
                    CostTable::per_arch(header.space, h, values, flags.iter().map(|&f| f == 1).collect())?
                }
                "per_arch_model" => {
                    let flags = h
                        .offset
                        .checked_add(h.count)
                        .and_then(|end| payload.get(h.offset..end))
                        .ok_or_else(|| corrupt("truncated flags"))?;
                    let known = flags.iter().filter(|&&f| f == 1).count();
                    let figures = f64s(h.offset + h.count, known + LatencyModel::FEATURES + 1)?;
                    let mut given = figures[..known].iter();
                    let measured: Vec<Option<f64>> = flags
                        .iter()
                        .map(|&f| if f == 1 { given.next().copied() } else { None })
                        .collect();
                    let model = LatencyModel {
                        weights: figures[known..known + LatencyModel::FEATURES].to_vec(),
                        floor: figures[known + LatencyModel::FEATURES],
                    };
                    CostTable::per_arch_estimated(header.space, h, &measured, model)?
                }
                "additive" => {
                    let v = f64s(h.offset, h.count)?;
                    if v.is_empty() {
                        return Err(corrupt("empty additive table"));
                    }
                    CostTable::additive(header.space, h, v[0], v[1..].to_vec())?
                }
                other => return Err(corrupt(&format!("unknown table kind '{other}'"))),
            };
            tables.push(table);
        }
        Ok(Self {
            space: header.space,
            tables,
            unavailable: header.unavailable,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_headers_are_errors_not_panics() {
        let header = |count: usize, offset: usize| {
            let json = format!(
                r#"{{"space":"fbnet","unavailable":"","tables":[{{"device":"pixel3","metric":"latency","unit":"ms","kind":"additive","count":{count},"offset":{offset},"measured":0,"source":"","fit":null,"range":[0,1]}}]}}"#
            );
            let mut b = MAGIC.to_vec();
            b.extend_from_slice(&VERSION.to_le_bytes());
            b.extend_from_slice(&(json.len() as u32).to_le_bytes());
            b.extend_from_slice(json.as_bytes());
            b.extend_from_slice(&[0u8; 64]);
            b
        };
        assert!(CostBook::decode(&header(usize::MAX / 4, 0)).is_err());
        assert!(CostBook::decode(&header(3, usize::MAX - 2)).is_err());
        assert!(CostBook::decode(&header(8, 0)).is_err(), "wrong number of deltas");
        let mut truncated = header(8, 0);
        truncated.truncate(20);
        assert!(CostBook::decode(&truncated).is_err());
        assert!(CostBook::decode(b"EVRSCOST").is_err());
    }

    #[test]
    fn a_table_with_estimates_keeps_only_its_model_and_loads_them_again_bit_for_bit() {
        let n = crate::space::nb201::CELLS;
        let measured: Vec<Option<f64>> = (0..n).map(|i| (i % 7 == 0).then(|| 1.0 + i as f64 / 3.0)).collect();
        let model = LatencyModel {
            weights: (0..LatencyModel::FEATURES)
                .map(|i| (i as f64 * 0.37).sin() / 7.0)
                .collect(),
            floor: 0.5,
        };
        let header = TableHeader::latency_ms(Device::EdgeGpu, n / 7, "test", None, [0.0, 1.0]);
        let table = CostTable::per_arch_estimated(Space::Nb201, header, &measured, model.clone()).unwrap();
        let book = CostBook {
            space: Space::Nb201,
            tables: vec![table],
            unavailable: String::new(),
        };
        let bytes = book.encode();
        // Flags, the measured figures and the model: far smaller than the per-architecture form.
        assert!(bytes.len() < n * 9 / 3, "{} bytes", bytes.len());
        let again = CostBook::decode(&bytes).unwrap();
        assert_eq!(again.tables[0].header.kind, "per_arch_model");
        assert!(
            again.tables[0].figures == book.tables[0].figures,
            "figures or model differ"
        );
        let values = again.tables[0].per_arch_values().unwrap();
        for (i, v) in values.iter().enumerate() {
            let genes = crate::space::nb201::genes_of_index(i).unwrap();
            assert_eq!(*v, measured[i].unwrap_or_else(|| model.estimate(&genes)));
            assert!(*v >= 0.5 || measured[i].is_some());
        }
        // Cut off inside the model: an error, not a panic.
        assert!(CostBook::decode(&bytes[..bytes.len() - 8]).is_err());
    }
}
