//! Calibrating the score's weights to a creator's own audience (`opusclip feedback`): real
//! results per clip (views, watch time, likes) against the clip's score parts, refitted into
//! new [`ScoreWeights`]. Pure: the caller reads the CSV and the manifest.
//!
//! # The refit
//!
//! 1. **Engagement**: each result column present (views, watch time, likes) is log-scaled
//!    (`ln(1 + x)`) and standardised across the clips; a clip's engagement is the mean of its
//!    standardised results.
//! 2. **Fit**: the parts every clip has (of [`PART_NAMES`], and that vary) are standardised, and
//!    engagement is regressed on them by non-negative least squares (exact: every subset of
//!    parts is tried). A part's fitted weight is its coefficient over its spread (so the weight
//!    applies to the raw 0–100 values, as in the total).
//! 3. **Shrinkage**: the fitted weights move the current ones only as far as the fit deserves:
//!    `new = (1 − λ) × old + λ × fitted`, with `λ = adjusted R² × n / (n + PRIOR_CLIPS)`. Results
//!    that the parts do not explain (adjusted R² ≈ 0) leave the weights where they were; parts
//!    not in the data keep their share. New weights sum to 1.

use opusclip_core::{Error, Result, ScoreWeights, PART_NAMES};
use std::collections::BTreeMap;

/// Fewest clips with results that a refit accepts.
pub const MIN_CLIPS: usize = 5;
/// How many clips' worth of evidence the current weights carry.
pub const PRIOR_CLIPS: f64 = 30.0;

/// One clip's real results, as read from the results CSV.
#[derive(Debug, Clone, PartialEq)]
pub struct ClipOutcome {
    /// The clip id (as in the manifest, e.g. `clip-01`).
    pub clip_id: String,
    /// The CSV line it came from (1-based), for messages.
    pub line: usize,
    pub views: Option<f64>,
    /// Watch time in seconds or percent (either works: only its spread across clips counts).
    pub watch_time: Option<f64>,
    pub likes: Option<f64>,
}

/// The refit and the evidence behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct Refit {
    /// The weights before, scaled to sum to 1.
    pub old: ScoreWeights,
    /// The weights after, summing to 1.
    pub new: ScoreWeights,
    /// Clips used.
    pub clips: usize,
    /// Parts fitted (in [`PART_NAMES`] order); the others kept their share.
    pub parts_fitted: Vec<String>,
    /// Share of the engagement's variance the non-negative fit explains, 0..1.
    pub r_squared: f64,
    /// The same, adjusted for the number of parts (0 when the parts explain no more than chance).
    pub adjusted_r_squared: f64,
    /// How far the weights moved toward the fit, 0..1 (λ).
    pub blend: f64,
    /// Pearson correlation of each fitted part with engagement.
    pub correlations: BTreeMap<String, f64>,
}

/// Parse a results CSV: a header naming `clip_id` (or `clip`) and any of `views`,
/// `watch_time`, `likes` (case and spacing are free; other columns are ignored), then one row
/// per clip. Values may be `1200`, `"1,200"`, `1.2k`, `3M`, `45%` or `1:23` (minutes:seconds);
/// an empty cell is a missing value. `source` names the file in messages.
pub fn parse_results_csv(text: &str, source: &str) -> Result<Vec<ClipOutcome>> {
    let mut lines = text.trim_start_matches('\u{feff}').lines().enumerate().filter(|(_, line)| !line.trim().is_empty());
    let Some((header_index, header_line)) = lines.next() else {
        return Err(Error::invalid_input(format!("{source} is empty: expected a header such as clip_id,views,likes")));
    };
    let header: Vec<String> =
        split_csv_line(header_line).iter().map(|name| name.trim().to_lowercase().replace([' ', '-'], "_")).collect();
    let column = |names: &[&str]| header.iter().position(|name| names.contains(&name.as_str()));
    let Some(id_column) = column(&["clip_id", "clip", "id"]) else {
        return Err(Error::invalid_input(format!(
            "{source} line {}: no clip_id (or clip) column; columns found: {}",
            header_index + 1,
            header.join(", ")
        )));
    };
    let metric_columns = [
        ("views", column(&["views", "view_count", "plays"])),
        ("watch_time", column(&["watch_time", "watchtime", "average_watch_time", "retention"])),
        ("likes", column(&["likes", "like_count"])),
    ];
    if metric_columns.iter().all(|(_, index)| index.is_none()) {
        return Err(Error::invalid_input(format!(
            "{source} line {}: no result column: add views, watch_time or likes (found {})",
            header_index + 1,
            header.join(", ")
        )));
    }
    let mut outcomes: Vec<ClipOutcome> = Vec::new();
    for (index, line) in lines {
        let line_number = index + 1;
        let fields = split_csv_line(line);
        let cell = |column: usize| fields.get(column).map(|f| f.trim()).unwrap_or("");
        let clip_id = cell(id_column).to_string();
        if clip_id.is_empty() {
            return Err(Error::invalid_input(format!(
                "{source} line {line_number}, column {}: the clip id is empty",
                header[id_column]
            )));
        }
        if let Some(earlier) = outcomes.iter().find(|o| o.clip_id == clip_id) {
            return Err(Error::invalid_input(format!(
                "{source} line {line_number}: clip {clip_id} was already given on line {}: one row per clip",
                earlier.line
            )));
        }
        let mut values = [None; 3];
        for (slot, (_, column)) in values.iter_mut().zip(metric_columns) {
            let Some(column) = column else { continue };
            *slot = parse_value(cell(column)).map_err(|problem| {
                Error::invalid_input(format!("{source} line {line_number}, column {}: {problem}", header[column]))
            })?;
        }
        if values.iter().all(Option::is_none) {
            return Err(Error::invalid_input(format!(
                "{source} line {line_number}: clip {clip_id} has no views, watch_time or likes"
            )));
        }
        let [views, watch_time, likes] = values;
        outcomes.push(ClipOutcome { clip_id, line: line_number, views, watch_time, likes });
    }
    Ok(outcomes)
}

/// Fields of one CSV line; double quotes group commas, `""` is a quote.
fn split_csv_line(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut characters = line.chars().peekable();
    while let Some(character) = characters.next() {
        match character {
            '"' if quoted && characters.peek() == Some(&'"') => {
                field.push('"');
                characters.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut field)),
            _ => field.push(character),
        }
    }
    fields.push(field);
    fields
}

/// A result value: a non-negative number, with optional thousands separators, `k`/`m`
/// suffix, `%`, or `m:ss` / `h:mm:ss`; empty is `None`.
fn parse_value(raw: &str) -> std::result::Result<Option<f64>, String> {
    let cleaned: String = raw.chars().filter(|c| !matches!(c, ',' | '_' | ' ')).collect();
    if cleaned.is_empty() {
        return Ok(None);
    }
    let lower = cleaned.to_lowercase();
    let value = if lower.contains(':') {
        lower.split(':').try_fold(0.0, |total, part| part.parse::<f64>().map(|v| total * 60.0 + v)).ok()
    } else {
        let (number, scale) = match lower.chars().last() {
            Some('%') => (&lower[..lower.len() - 1], 1.0),
            Some('k') => (&lower[..lower.len() - 1], 1e3),
            Some('m') => (&lower[..lower.len() - 1], 1e6),
            _ => (lower.as_str(), 1.0),
        };
        number.parse::<f64>().ok().map(|v| v * scale)
    };
    match value {
        Some(v) if v.is_finite() && v >= 0.0 => Ok(Some(v)),
        _ => Err(format!("expected a number ≥ 0 (e.g. 1200, 1.2k, 45%, 1:23), got {raw:?}")),
    }
}

/// One engagement number per clip: the mean of its standardised, log-scaled results.
pub fn engagement_scores(outcomes: &[ClipOutcome]) -> Vec<f64> {
    let columns: [Vec<Option<f64>>; 3] = [
        outcomes.iter().map(|o| o.views).collect(),
        outcomes.iter().map(|o| o.watch_time).collect(),
        outcomes.iter().map(|o| o.likes).collect(),
    ];
    let standardised: Vec<Vec<Option<f64>>> = columns.iter().map(|column| standardise_log(column)).collect();
    (0..outcomes.len())
        .map(|row| {
            let present: Vec<f64> = standardised.iter().filter_map(|column| column[row]).collect();
            if present.is_empty() {
                0.0
            } else {
                present.iter().sum::<f64>() / present.len() as f64
            }
        })
        .collect()
}

/// `ln(1 + x)` standardised over the present values; `None` where absent or when the column
/// does not vary.
fn standardise_log(column: &[Option<f64>]) -> Vec<Option<f64>> {
    let logs: Vec<f64> = column.iter().flatten().map(|v| v.ln_1p()).collect();
    let (mean, deviation) = mean_and_deviation(&logs);
    if logs.len() < 2 || deviation <= 1e-12 {
        return vec![None; column.len()];
    }
    column.iter().map(|value| value.map(|v| (v.ln_1p() - mean) / deviation)).collect()
}

/// The score parts of the clips with results, in the outcomes' order; every outcome's clip id
/// must be in `parts_by_clip`, and at least [`MIN_CLIPS`] are needed.
pub fn parts_for_outcomes(
    outcomes: &[ClipOutcome],
    parts_by_clip: &BTreeMap<String, BTreeMap<String, f64>>,
) -> Result<Vec<BTreeMap<String, f64>>> {
    let unknown: Vec<String> = outcomes
        .iter()
        .filter(|o| !parts_by_clip.contains_key(&o.clip_id))
        .map(|o| format!("{} (line {})", o.clip_id, o.line))
        .collect();
    if !unknown.is_empty() {
        let known: Vec<&str> = parts_by_clip.keys().map(String::as_str).take(12).collect();
        return Err(Error::invalid_input(format!(
            "unknown clip ids: {}; the manifest has {}{}",
            unknown.join(", "),
            known.join(", "),
            if parts_by_clip.len() > known.len() { ", …" } else { "" }
        )));
    }
    if outcomes.len() < MIN_CLIPS {
        return Err(Error::invalid_input(format!(
            "only {} clips with results: a refit needs at least {MIN_CLIPS} (30+ move the weights with confidence)",
            outcomes.len()
        )));
    }
    Ok(outcomes.iter().map(|o| parts_by_clip[&o.clip_id].clone()).collect())
}

/// Refit `prior` from each clip's score parts (0..100) and its engagement (see the module docs).
pub fn refit_weights(parts: &[BTreeMap<String, f64>], engagement: &[f64], prior: &ScoreWeights) -> Result<Refit> {
    if parts.len() != engagement.len() {
        return Err(Error::Internal(format!("{} clips with parts but {} results", parts.len(), engagement.len())));
    }
    if parts.len() < MIN_CLIPS {
        return Err(Error::invalid_input(format!(
            "only {} clips with results: a refit needs at least {MIN_CLIPS}",
            parts.len()
        )));
    }
    let old = prior.normalized();
    let clips = parts.len();
    let (target_mean, target_deviation) = mean_and_deviation(engagement);
    let fitted: Vec<(&str, Vec<f64>, f64, f64)> = PART_NAMES
        .iter()
        .filter_map(|&name| {
            let column: Option<Vec<f64>> = parts.iter().map(|p| p.get(name).copied()).collect();
            let column = column?;
            let (mean, deviation) = mean_and_deviation(&column);
            (deviation > 1e-9).then_some((name, column, mean, deviation))
        })
        .collect();
    let mut refit = Refit {
        old,
        new: old,
        clips,
        parts_fitted: fitted.iter().map(|(name, ..)| name.to_string()).collect(),
        r_squared: 0.0,
        adjusted_r_squared: 0.0,
        blend: 0.0,
        correlations: BTreeMap::new(),
    };
    if fitted.is_empty() || target_deviation <= 1e-12 {
        return Ok(refit);
    }
    let target: Vec<f64> = engagement.iter().map(|y| (y - target_mean) / target_deviation).collect();
    let standardised: Vec<Vec<f64>> = fitted
        .iter()
        .map(|(_, column, mean, deviation)| column.iter().map(|x| (x - mean) / deviation).collect())
        .collect();
    for ((name, ..), column) in fitted.iter().zip(&standardised) {
        let correlation = column.iter().zip(&target).map(|(x, y)| x * y).sum::<f64>() / clips as f64;
        refit.correlations.insert(name.to_string(), correlation);
    }
    let (coefficients, residual) = non_negative_least_squares(&standardised, &target);
    let total = clips as f64;
    refit.r_squared = (1.0 - residual / total).clamp(0.0, 1.0);
    let free = clips as f64 - fitted.len() as f64 - 1.0;
    refit.adjusted_r_squared =
        if free > 0.0 { (1.0 - (1.0 - refit.r_squared) * (total - 1.0) / free).clamp(0.0, 1.0) } else { 0.0 };
    let raw: Vec<f64> = coefficients.iter().zip(&fitted).map(|(beta, (.., deviation))| beta / deviation).collect();
    let raw_sum: f64 = raw.iter().sum();
    if raw_sum <= 0.0 {
        return Ok(refit);
    }
    refit.blend = refit.adjusted_r_squared * total / (total + PRIOR_CLIPS);
    let fitted_mass: f64 = fitted.iter().filter_map(|(name, ..)| old.get(name)).sum();
    for ((name, ..), raw_weight) in fitted.iter().zip(&raw) {
        let prior_weight = old.get(name).unwrap_or(0.0);
        let fitted_weight = raw_weight / raw_sum * fitted_mass;
        refit.new.set(name, (1.0 - refit.blend) * prior_weight + refit.blend * fitted_weight);
    }
    refit.new = refit.new.normalized();
    Ok(refit)
}

/// Exact non-negative least squares for a handful of columns: every subset of columns is
/// solved by ordinary least squares and the best one with all coefficients ≥ 0 wins.
/// Returns the coefficients and the residual sum of squares.
fn non_negative_least_squares(columns: &[Vec<f64>], target: &[f64]) -> (Vec<f64>, f64) {
    let residual_of = |coefficients: &[f64]| -> f64 {
        (0..target.len())
            .map(|row| {
                let fit: f64 = columns.iter().zip(coefficients).map(|(column, c)| column[row] * c).sum();
                (target[row] - fit).powi(2)
            })
            .sum()
    };
    let mut best = (vec![0.0; columns.len()], residual_of(&vec![0.0; columns.len()]));
    for subset in 1u32..(1 << columns.len()) {
        let chosen: Vec<usize> = (0..columns.len()).filter(|i| subset & (1 << i) != 0).collect();
        let Some(solution) = least_squares(&chosen.iter().map(|&i| &columns[i]).collect::<Vec<_>>(), target) else {
            continue;
        };
        if solution.iter().any(|&c| c < 0.0) {
            continue;
        }
        let mut coefficients = vec![0.0; columns.len()];
        for (&i, c) in chosen.iter().zip(solution) {
            coefficients[i] = c;
        }
        let residual = residual_of(&coefficients);
        if residual < best.1 - 1e-12 {
            best = (coefficients, residual);
        }
    }
    best
}

/// Ordinary least squares through the normal equations (Gaussian elimination with partial
/// pivoting); `None` when the columns are collinear.
fn least_squares(columns: &[&Vec<f64>], target: &[f64]) -> Option<Vec<f64>> {
    let size = columns.len();
    let mut matrix: Vec<Vec<f64>> = (0..size)
        .map(|i| {
            let mut row: Vec<f64> = (0..size).map(|j| dot(columns[i], columns[j])).collect();
            row.push(dot(columns[i], target));
            row
        })
        .collect();
    for pivot in 0..size {
        let best = (pivot..size).max_by(|&a, &b| matrix[a][pivot].abs().total_cmp(&matrix[b][pivot].abs()))?;
        if matrix[best][pivot].abs() < 1e-9 {
            return None;
        }
        matrix.swap(pivot, best);
        let pivot_row = matrix[pivot].clone();
        for (row, values) in matrix.iter_mut().enumerate() {
            if row != pivot {
                let factor = values[pivot] / pivot_row[pivot];
                for (value, pivot_value) in values.iter_mut().zip(&pivot_row).skip(pivot) {
                    *value -= factor * pivot_value;
                }
            }
        }
    }
    Some((0..size).map(|i| matrix[i][size] / matrix[i][i]).collect())
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Mean and population standard deviation (0, 0 when empty).
fn mean_and_deviation(values: &[f64]) -> (f64, f64) {
    if values.is_empty() {
        return (0.0, 0.0);
    }
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / values.len() as f64;
    (mean, variance.sqrt())
}

#[cfg(test)]
#[path = "feedback_tests.rs"]
mod tests;
