//! What `opusclip bench` found: each measured figure beside its yardstick from the same run,
//! the headline ratio against its goal, and the same as a Markdown section for the README.

use super::measure::Best;
use serde::Serialize;

/// One measured figure (P1…P5).
#[derive(Debug, Clone, Serialize)]
pub struct Part {
    pub id: &'static str,
    pub title: String,
    /// What it ran on.
    pub input: String,
    pub rows: Vec<Row>,
    /// The figures the goals are about.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub headlines: Vec<Headline>,
    /// Further tables (F1, stage shares), already as Markdown rows under a header.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<Table>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// One command's best run.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub name: String,
    #[serde(flatten)]
    pub best: Best,
    /// Wall time against the part's yardstick row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ratio: Option<f64>,
    pub yardstick: bool,
}

/// The ratio a goal is set on.
#[derive(Debug, Clone, Serialize)]
pub struct Headline {
    pub what: String,
    pub value: f64,
    pub goal: String,
    pub met: bool,
}

impl Headline {
    /// A ratio that must not exceed `goal` (a time or memory share).
    pub fn at_most(what: impl Into<String>, value: f64, goal: f64) -> Headline {
        Headline { what: what.into(), value, goal: format!("≤ {goal:.2}"), met: value <= goal }
    }

    /// A ratio that must reach `goal` (a speed-up).
    pub fn at_least(what: impl Into<String>, value: f64, goal: f64) -> Headline {
        Headline { what: what.into(), value, goal: format!("≥ {goal:.1}"), met: value >= goal }
    }
}

/// A small table: a header and rows of cells.
#[derive(Debug, Clone, Serialize)]
pub struct Table {
    pub title: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Part {
    pub fn new(id: &'static str, title: impl Into<String>, input: impl Into<String>) -> Part {
        Part {
            id,
            title: title.into(),
            input: input.into(),
            rows: Vec::new(),
            headlines: Vec::new(),
            tables: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Adds the measured rows with their ratio to the row named `yardstick`.
    pub fn with_rows(mut self, bests: Vec<(String, Best)>, yardstick: &str) -> Part {
        let reference = bests.iter().find(|(name, _)| name == yardstick).map(|(_, best)| best.seconds);
        self.rows = bests
            .into_iter()
            .map(|(name, best)| Row {
                yardstick: name == yardstick,
                ratio: reference.filter(|seconds| *seconds > 0.0).map(|seconds| best.seconds / seconds),
                name,
                best,
            })
            .collect();
        self
    }

    pub fn seconds_of(&self, name: &str) -> Option<f64> {
        self.rows.iter().find(|row| row.name == name).map(|row| row.best.seconds)
    }
}

/// Where the README's generated performance summary begins and ends.
pub const README_START: &str = "<!-- opusclip bench: start -->";
pub const README_END: &str = "<!-- opusclip bench: end -->";

/// The whole report as Markdown: a section per part.
pub fn markdown(parts: &[Part], machine: &str) -> String {
    let mut text = format!(
        "# Performance\n\nWritten by `opusclip bench` (`make bench`) on {machine}. Every ratio compares runs \
         made in the same benchmark run, alternately, best of N.\n"
    );
    for part in parts {
        text.push_str(&format!("\n### {} — {}\n\n{}\n\n", part.id, part.title, part.input));
        if !part.rows.is_empty() {
            text.push_str("| command | wall s | CPU s | peak RSS MiB | × yardstick |\n|---|---:|---:|---:|---:|\n");
            for row in &part.rows {
                let ratio = row.ratio.map(|ratio| format!("{ratio:.2}")).unwrap_or_else(|| "—".into());
                let name = if row.yardstick { format!("{} (yardstick)", row.name) } else { row.name.clone() };
                text.push_str(&format!(
                    "| {name} | {:.2} | {:.2} | {:.0} | {ratio} |\n",
                    row.best.seconds,
                    row.best.cpu_seconds,
                    row.best.peak_rss_bytes as f64 / f64::from(1 << 20)
                ));
            }
            text.push('\n');
        }
        for table in &part.tables {
            text.push_str(&format!(
                "{}\n\n| {} |\n|{}\n",
                table.title,
                table.header.join(" | "),
                "---|".repeat(table.header.len())
            ));
            for row in &table.rows {
                text.push_str(&format!("| {} |\n", row.join(" | ")));
            }
            text.push('\n');
        }
        for headline in &part.headlines {
            let verdict = if headline.met { "met" } else { "not met" };
            text.push_str(&format!(
                "**{}: {:.3}** (goal {}: {verdict})\n\n",
                headline.what, headline.value, headline.goal
            ));
        }
        for note in &part.notes {
            text.push_str(&format!("- {note}\n"));
        }
    }
    text
}

/// Every headline as one table: what was measured, the figure and the goal.
pub fn summary(parts: &[Part], machine: &str) -> String {
    let mut text = format!(
        "Measured by `opusclip bench` on {machine} (every figure against a yardstick of the same run; \
         the tables are in [docs/performance.md](docs/performance.md)):\n\n| | figure | measured | goal |\n|---|---|---:|---|\n"
    );
    for part in parts {
        for headline in &part.headlines {
            let verdict = if headline.met { "met" } else { "not yet" };
            text.push_str(&format!(
                "| {} | {} | {:.2} | {} ({verdict}) |\n",
                part.id, headline.what, headline.value, headline.goal
            ));
        }
    }
    text
}

/// `readme` with the text between [`README_START`] and [`README_END`] replaced by `summary`;
/// `None` when the markers are not there.
pub fn replace_summary(readme: &str, summary: &str) -> Option<String> {
    let start = readme.find(README_START)? + README_START.len();
    let end = start + readme[start..].find(README_END)?;
    Some(format!("{}\n{}{}", &readme[..start], summary, &readme[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn best(seconds: f64) -> Best {
        Best { seconds, cpu_seconds: seconds * 1.5, peak_rss_bytes: 100 << 20, runs: 3 }
    }

    #[test]
    fn rows_are_ratios_to_the_yardstick_and_the_markdown_shows_them() {
        let mut part = Part::new("P1", "analyze against a decode", "a 10-minute talk")
            .with_rows(vec![("decode".into(), best(10.0)), ("analyze".into(), best(9.0))], "decode");
        part.headlines
            .push(Headline { what: "analyze ÷ decode".into(), value: 0.9, goal: "≤ 1.0".into(), met: true });
        assert_eq!(part.rows[1].ratio, Some(0.9));
        assert!(part.rows[0].yardstick && !part.rows[1].yardstick);
        let parts = [part];
        let text = markdown(&parts, "2 cores");
        assert!(text.contains("| decode (yardstick) | 10.00 | 15.00 | 100 | 1.00 |"), "{text}");
        assert!(text.contains("| analyze | 9.00 | 13.50 | 100 | 0.90 |"), "{text}");
        assert!(text.contains("**analyze ÷ decode: 0.900** (goal ≤ 1.0: met)"), "{text}");
        let summary = summary(&parts, "2 cores");
        assert!(summary.contains("| P1 | analyze ÷ decode | 0.90 | ≤ 1.0 (met) |"), "{summary}");
    }

    #[test]
    fn the_readme_summary_is_replaced_between_its_markers_only() {
        let readme = format!("# Title\n\n## Performance\n{README_START}\nold\n{README_END}\n\n## Next\n");
        let replaced = replace_summary(&readme, "new\n").unwrap();
        assert_eq!(replaced, format!("# Title\n\n## Performance\n{README_START}\nnew\n{README_END}\n\n## Next\n"));
        assert_eq!(replace_summary("no markers", "new"), None);
    }
}
