//! The asset tool: writes `static/` from the public data (`../shared/data`) and the foolbox wheel,
//! in our own formats, and records the provenance of every figure. Native only.
//!
//! Run by `cargo make assets`; running it twice gives the same bytes.

use crate::assets::{sha256_hex, GroundTruth, Manifest, ManifestEntry, MANIFEST, TRUTH};
use crate::cost::{CostBook, CostTable, Device, FitQuality, LatencyModel, TableHeader};
use crate::images::batch_from_files;
use crate::space::{fbnet, nb201, Space};
use crate::{bail, Result};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn err(e: impl std::fmt::Display) -> crate::Error {
    crate::Error::Invalid(e.to_string())
}

fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| err(format!("cannot read {}: {e}", path.display())))
}

fn write(out: &Path, rel: &str, bytes: &[u8]) -> Result<()> {
    let path = out.join(rel);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(err)?;
    }
    std::fs::write(&path, bytes).map_err(|e| err(format!("cannot write {}: {e}", path.display())))
}

/// Rows of a simple CSV (no quoted fields) as maps from header to cell.
fn csv_rows(text: &str) -> Result<(Vec<String>, Vec<Vec<String>>)> {
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .ok_or_else(|| err("empty CSV"))?
        .split(',')
        .map(String::from)
        .collect();
    let rows: Vec<Vec<String>> = lines
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    if let Some(bad) = rows.iter().position(|r| r.len() != header.len()) {
        bail!(
            "CSV row {} has {} cells, header has {}",
            bad + 1,
            rows[bad].len(),
            header.len()
        )
    }
    Ok((header, rows))
}

fn column(header: &[String], name: &str) -> Result<usize> {
    header
        .iter()
        .position(|h| h == name)
        .ok_or_else(|| err(format!("CSV lacks column {name}")))
}

fn parse_f64(s: &str) -> Result<f64> {
    s.trim().parse::<f64>().map_err(|_| err(format!("not a number: '{s}'")))
}

/// Ridge regression on sparse one-hot rows, solved by Cholesky on the normal equations.
fn fit_ridge(rows: &[Vec<usize>], y: &[f64], ridge: f64) -> Result<Vec<f64>> {
    let d = LatencyModel::FEATURES;
    let mut a = vec![0.0f64; d * d];
    let mut b = vec![0.0f64; d];
    for (r, &t) in rows.iter().zip(y) {
        for &i in r {
            b[i] += t;
            for &j in r {
                a[i * d + j] += 1.0;
            }
        }
    }
    for i in 1..d {
        a[i * d + i] += ridge;
    }
    a[0] += 1e-9;
    // In-place Cholesky: A = L Lᵀ.
    for j in 0..d {
        let mut s = a[j * d + j];
        for k in 0..j {
            s -= a[j * d + k] * a[j * d + k];
        }
        if s <= 0.0 {
            bail!("latency model: normal equations are not positive definite")
        }
        let l = s.sqrt();
        a[j * d + j] = l;
        for i in j + 1..d {
            let mut s = a[i * d + j];
            for k in 0..j {
                s -= a[i * d + k] * a[j * d + k];
            }
            a[i * d + j] = s / l;
        }
    }
    let mut z = b;
    for i in 0..d {
        for k in 0..i {
            z[i] -= a[i * d + k] * z[k];
        }
        z[i] /= a[i * d + i];
    }
    for i in (0..d).rev() {
        for k in i + 1..d {
            z[i] -= a[k * d + i] * z[k];
        }
        z[i] /= a[i * d + i];
    }
    Ok(z)
}

/// Fits the model that fills the missing figures of a device (`LatencyModel`); returns it and its
/// held-out quality (every 5th measured cell held out, then refitted on all).
fn fit_model(measured: &[Option<f64>]) -> Result<(LatencyModel, FitQuality)> {
    let genes: Vec<Vec<u8>> = (0..nb201::CELLS)
        .map(|i| nb201::genes_of_index(i).expect("valid index"))
        .collect();
    let rows: Vec<Vec<usize>> = genes.iter().map(|g| LatencyModel::features(g)).collect();
    let known: Vec<usize> = (0..nb201::CELLS).filter(|&i| measured[i].is_some()).collect();
    let test: Vec<usize> = known.iter().skip(4).step_by(5).copied().collect();
    let train: Vec<usize> = known
        .iter()
        .enumerate()
        .filter(|(k, _)| k % 5 != 4)
        .map(|(_, &i)| i)
        .collect();
    let fit = |idx: &[usize]| {
        let r: Vec<Vec<usize>> = idx.iter().map(|&i| rows[i].clone()).collect();
        let y: Vec<f64> = idx.iter().map(|&i| measured[i].expect("known")).collect();
        fit_ridge(&r, &y, 1.0)
    };
    let w = fit(&train)?;
    let truth: Vec<f64> = test.iter().map(|&i| measured[i].expect("known")).collect();
    let guess: Vec<f64> = test.iter().map(|&i| LatencyModel::predict(&w, &genes[i])).collect();
    let mape = 100.0 * truth.iter().zip(&guess).map(|(t, g)| ((t - g) / t).abs()).sum::<f64>() / truth.len() as f64;
    let quality = FitQuality {
        model: "ridge regression on one-hot (edge, op) and (edge pair, op pair) features".into(),
        kendall_tau: crate::devtools::stats::kendall_tau(&truth, &guess),
        mape_percent: mape,
        held_out: test.len(),
    };
    let model = LatencyModel {
        weights: fit(&known)?,
        // An estimate never goes below the fastest measured cell: latency cannot be negative.
        floor: known
            .iter()
            .map(|&i| measured[i].expect("known"))
            .fold(f64::INFINITY, f64::min),
    };
    Ok((model, quality))
}

fn range(values: impl Iterator<Item = f64>) -> [f64; 2] {
    values.fold([f64::INFINITY, f64::NEG_INFINITY], |[lo, hi], v| [lo.min(v), hi.max(v)])
}

fn nb201_costs(shared: &Path, notes: &mut String) -> Result<CostBook> {
    let (header, rows) = csv_rows(&read_text(&shared.join("hwnasbench_nb201_cifar10_latency.csv"))?)?;
    if rows.len() != nb201::CELLS {
        bail!("expected {} rows of NB201 latency, got {}", nb201::CELLS, rows.len())
    }
    let idx_col = column(&header, "arch_index")?;
    let arch_col = column(&header, "arch_str")?;
    for (i, r) in rows.iter().enumerate() {
        if r[idx_col] != i.to_string() || nb201::index_of(&nb201::parse(&r[arch_col])?) != i {
            bail!("NB201 latency row {i} is out of index order")
        }
    }
    let mut tables = vec![];
    for &device in Device::ALL {
        let col = column(&header, &format!("{device}_latency_ms"))?;
        let measured: Vec<Option<f64>> = rows
            .iter()
            .map(|r| {
                if r[col].is_empty() {
                    Ok(None)
                } else {
                    parse_f64(&r[col]).map(Some)
                }
            })
            .collect::<Result<_>>()?;
        let count = measured.iter().flatten().count();
        let source = "HW-NAS-Bench, CIFAR-10 input (via HELP and OneProxy copies; see PROVENANCE.md)";
        if count == nb201::CELLS {
            let values: Vec<f64> = measured.iter().map(|v| v.expect("complete")).collect();
            let header = TableHeader::latency_ms(device, count, source, None, range(values.iter().copied()));
            tables.push(CostTable::per_arch(
                Space::Nb201,
                header,
                values,
                vec![true; nb201::CELLS],
            )?);
        } else {
            let (model, q) = fit_model(&measured)?;
            let _ = writeln!(
                notes,
                "- nb201/{device}: {count} cells measured; the other {} estimated ({}); held-out ({} cells): Kendall τ {:.4}, MAPE {:.2} %",
                nb201::CELLS - count,
                q.model,
                q.held_out,
                q.kendall_tau,
                q.mape_percent
            );
            // The range is the completed table's, known once the model has filled it in.
            let header = TableHeader::latency_ms(device, count, source, Some(q), [0.0; 2]);
            let mut table = CostTable::per_arch_estimated(Space::Nb201, header, &measured, model)?;
            table.header.range = range(
                table
                    .per_arch_values()
                    .expect("a per-architecture table")
                    .iter()
                    .copied(),
            );
            tables.push(table);
        }
    }
    Ok(CostBook {
        space: Space::Nb201,
        tables,
        unavailable: "HW-NAS-Bench energy figures are not available to this project, so no energy tables are bundled."
            .into(),
    })
}

fn fbnet_costs(shared: &Path) -> Result<CostBook> {
    let (header, rows) = csv_rows(&read_text(&shared.join("hwnasbench_fbnet_cifar100_lut_derived.csv"))?)?;
    let (lc, oc) = (column(&header, "layer")?, column(&header, "op_idx")?);
    let ops = fbnet::OPS.len();
    let mut tables = vec![];
    for device in [Device::Raspi4, Device::Pixel3, Device::Eyeriss, Device::Fpga] {
        let col = column(&header, &format!("{device}_latency_ms"))?;
        let mut base = None;
        let mut deltas = vec![f64::NAN; fbnet::LAYERS * ops];
        for r in &rows {
            let v = parse_f64(&r[col])?;
            match (r[lc].parse::<i64>(), r[oc].parse::<i64>()) {
                (Ok(-1), _) => base = Some(v),
                (Ok(l), Ok(o)) if (0..fbnet::LAYERS as i64).contains(&l) && (0..ops as i64).contains(&o) => {
                    deltas[l as usize * ops + o as usize] = v
                }
                _ => bail!("bad FBNet LUT row {r:?}"),
            }
        }
        let base = base.ok_or_else(|| err("FBNet LUT lacks BASE"))?;
        // Cheapest and dearest network: the best and worst op of every layer.
        let per_layer = |pick: fn(f64, f64) -> f64, start: f64| -> f64 {
            (0..fbnet::LAYERS)
                .map(|l| deltas[l * ops..(l + 1) * ops].iter().copied().fold(start, pick))
                .sum()
        };
        let (lo, hi) = (
            base + per_layer(f64::min, f64::INFINITY),
            base + per_layer(f64::max, f64::NEG_INFINITY),
        );
        let source =
            "HW-NAS-Bench FBNet, CIFAR-100 input: exact additive table fitted to HELP's 5,000 measured architectures";
        let header = TableHeader::latency_ms(device, 1 + deltas.len(), source, None, [lo, hi]);
        tables.push(CostTable::additive(Space::Fbnet, header, base, deltas)?);
    }
    Ok(CostBook {
        space: Space::Fbnet,
        tables,
        unavailable: "HW-NAS-Bench has FBNet figures for eyeriss, fpga, pixel3 and raspi4 only here: edgegpu, edgetpu and all energy figures are not available.".into(),
    })
}

fn ground_truth(shared: &Path) -> Result<(Vec<u8>, GroundTruth)> {
    let (header, rows) = csv_rows(&read_text(&shared.join("nb201_accuracies_nats_bench.csv"))?)?;
    let arch = column(&header, "ArchitectureString")?;
    let cells: Vec<String> = rows.iter().map(|r| r[arch].clone()).collect();
    let order = nb201::index_order_bytes(&cells)?;
    let col = |name: &str| -> Result<Vec<f32>> {
        let c = column(&header, name)?;
        rows.iter().map(|r| parse_f64(&r[c]).map(|v| v as f32)).collect()
    };
    let truth = GroundTruth {
        cifar10: col("CIFAR10TestAccuracy200Epochs")?,
        cifar100: col("CIFAR100TestAccuracy200Epochs")?,
        imagenet16: col("ImageNetTestAccuracy200Epochs")?,
    };
    Ok((order, truth))
}

/// Writes every generated asset and the manifest; returns a short report.
pub fn build(shared: &Path, foolbox: &Path, out: &Path) -> Result<String> {
    let mut notes = String::new();
    let (order, truth) = ground_truth(shared)?;
    write(out, "nb201/index_order.bin", &order)?;
    write(out, TRUTH, &truth.encode())?;
    write(
        out,
        &crate::assets::cost_path(Space::Nb201),
        &nb201_costs(shared, &mut notes)?.encode(),
    )?;
    write(
        out,
        &crate::assets::cost_path(Space::Fbnet),
        &fbnet_costs(shared)?.encode(),
    )?;
    let data = foolbox.join("foolbox/data");
    let license = "foolbox 3.3.4 (MIT License, Copyright (c) 2020 Jonas Rauber et al.), foolbox/data/";
    for (prefix, file, count) in [
        ("cifar10_", "batch/cifar10_20.bin", 20),
        ("cifar100_", "batch/cifar100_20.bin", 20),
    ] {
        let files = png_files(&data, prefix)?;
        if files.len() != count {
            bail!(
                "expected {count} {prefix}*.png in {}, found {}",
                data.display(),
                files.len()
            )
        }
        write(out, file, &batch_from_files(&files, license)?.encode())?;
    }
    let license_text = std::fs::read(foolbox.join("foolbox-3.3.4.dist-info/LICENSE"))
        .map_err(|e| err(format!("cannot read foolbox's LICENSE: {e}")))?;
    write(out, "batch/LICENSE-foolbox.txt", &license_text)?;
    // The reference is trained (`train-reference`), not built here: its targets follow it.
    if out.join(crate::assets::REFERENCE).exists() {
        write_targets(out)?;
    }
    let manifest = write_manifest(out)?;
    let _ = writeln!(
        notes,
        "{} assets, {} bytes in all",
        manifest.files.len(),
        manifest.files.iter().map(|f| f.bytes).sum::<usize>()
    );
    Ok(notes)
}

/// The bundled reference's targets on each bundled batch, from the reference and batches in `out`
/// (rewritten whenever either changes: `evrsnas assets --manifest-only` does it too).
pub fn write_targets(out: &Path) -> Result<()> {
    let read = |rel: &str| std::fs::read(out.join(rel)).map_err(|e| err(format!("cannot read {rel}: {e}")));
    let weights = read(crate::assets::REFERENCE)?;
    let reference = crate::Reference::from_safetensors(&weights, crate::Kernels::Fast)?;
    for choice in crate::assets::BatchChoice::ALL {
        let files = choice.files().iter().map(|f| read(f)).collect::<Result<Vec<_>>>()?;
        let batch = crate::assets::ImageBatch::join(files.iter().map(Vec::as_slice))?;
        let targets = crate::RmiTargets::new(&reference, &batch.tensor()?)?;
        let header = crate::rmi::stored::StoredHeader {
            reference_sha256: sha256_hex(&weights),
            batch_sha256: batch.pixels_sha256(),
            examples: batch.len(),
            classes: reference.classes(),
            depth: reference.depth(),
        };
        write(
            out,
            &crate::assets::targets_path(*choice),
            &crate::rmi::stored::encode(&targets, &header)?,
        )?;
    }
    Ok(())
}

/// Lists every file under `out` (but the manifest) with its size and checksum.
pub fn write_manifest(out: &Path) -> Result<Manifest> {
    let mut files = vec![];
    let mut stack = vec![out.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).map_err(err)? {
            let path = entry.map_err(err)?.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path
                .strip_prefix(out)
                .map_err(err)?
                .to_string_lossy()
                .replace('\\', "/");
            if rel == MANIFEST {
                continue;
            }
            let bytes = std::fs::read(&path).map_err(err)?;
            files.push(ManifestEntry {
                path: rel,
                bytes: bytes.len(),
                sha256: sha256_hex(&bytes),
            });
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let manifest = Manifest { files };
    let mut json = serde_json::to_string_pretty(&manifest).map_err(err)?;
    json.push('\n');
    write(out, MANIFEST, json.as_bytes())?;
    Ok(manifest)
}

/// The PNG files of `dir` whose names start with `prefix`, by name.
fn png_files(dir: &Path, prefix: &str) -> Result<Vec<PathBuf>> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| err(format!("cannot read {}: {e}", dir.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.starts_with(prefix) && name.ends_with(".png")
        })
        .collect();
    v.sort();
    Ok(v)
}
