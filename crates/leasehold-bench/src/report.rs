//! The results table: figures, targets, ratios to the bare baseline, and
//! the number formatting they share.

use hdrhistogram::Histogram;
use std::fmt::Write;
use std::time::Duration;

/// Events per second; 0 for an empty window.
#[must_use]
pub fn per_sec(count: u64, elapsed: Duration) -> f64 {
    let s = elapsed.as_secs_f64();
    #[allow(clippy::cast_precision_loss)]
    if s > 0.0 { count as f64 / s } else { 0.0 }
}

/// The `q`-quantile (0..=1) of a microsecond histogram, in milliseconds;
/// 0 when it is empty.
#[must_use]
pub fn percentile_ms(h: &Histogram<u64>, q: f64) -> f64 {
    if h.is_empty() {
        return 0.0;
    }
    #[allow(clippy::cast_precision_loss)]
    let us = if q >= 1.0 {
        h.max()
    } else {
        h.value_at_quantile(q)
    } as f64;
    us / 1000.0
}

/// A figure's unit, which decides how it is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    PerSec,
    Micros,
    Millis,
    Secs,
    Bytes,
    /// CPU in cores (1.0 = one core busy), printed as a percentage of one core.
    Cores,
    Count,
}

/// Prints `v` in `unit` for people: `12.3k/s`, `0.84 ms`, `412 MB`, `3.1 %`.
#[must_use]
pub fn fmt(v: f64, unit: Unit) -> String {
    match unit {
        Unit::PerSec if v >= 10_000.0 => format!("{:.1}k/s", v / 1000.0),
        Unit::PerSec => format!("{v:.0}/s"),
        Unit::Micros => format!("{v:.2} µs"),
        Unit::Millis if v < 10.0 => format!("{v:.2} ms"),
        Unit::Millis => format!("{v:.0} ms"),
        Unit::Secs => format!("{v:.2} s"),
        Unit::Bytes => format!("{:.1} MB", v / 1_000_000.0),
        Unit::Cores => format!("{:.1} % core", v * 100.0),
        Unit::Count => format!("{v:.0}"),
    }
}

/// What a figure must reach.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Target {
    /// At least this, absolute.
    AtLeast(f64),
    /// At most this, absolute.
    AtMost(f64),
    /// A ratio to the baseline of at least this.
    RatioAtLeast(f64),
    /// A ratio to the baseline of at most this.
    RatioAtMost(f64),
}

impl Target {
    #[must_use]
    pub fn met(self, value: f64, ratio: Option<f64>) -> Option<bool> {
        match self {
            Self::AtLeast(t) => Some(value >= t),
            Self::AtMost(t) => Some(value <= t),
            Self::RatioAtLeast(t) => ratio.map(|r| r >= t),
            Self::RatioAtMost(t) => ratio.map(|r| r <= t),
        }
    }

    #[must_use]
    pub fn describe(self, unit: Unit) -> String {
        match self {
            Self::AtLeast(t) => format!("≥ {}", fmt(t, unit)),
            Self::AtMost(t) => format!("≤ {}", fmt(t, unit)),
            Self::RatioAtLeast(t) => format!("≥ {t}× bare"),
            Self::RatioAtMost(t) => format!("≤ {t}× the baseline"),
        }
    }
}

/// One line of the table.
#[derive(Clone, Debug)]
pub struct Row {
    pub figure: String,
    pub value: f64,
    pub unit: Unit,
    /// Measured ÷ the bare baseline's same figure, where there is one.
    pub ratio: Option<f64>,
    pub target: Option<Target>,
    /// What the ratio is to: `bare`, unless a scenario compares with
    /// another figure of its own (the Rust SDK's).
    pub ratio_to: &'static str,
}

/// The results of a run, in the order measured.
#[derive(Default)]
pub struct Report {
    pub rows: Vec<Row>,
    /// Free-text lines printed under the table (what was skipped, errors seen).
    pub notes: Vec<String>,
    /// Broken promises seen (more seats granted than licensed, a wrong
    /// count after a restart): the run fails when there is any.
    pub failures: Vec<String>,
}

impl Report {
    /// Adds a row and prints it at once, so a long run shows progress.
    pub fn add(
        &mut self,
        figure: impl Into<String>,
        value: f64,
        unit: Unit,
        baseline: Option<f64>,
        target: Option<Target>,
    ) {
        self.add_vs(figure, value, unit, baseline, "bare", target);
    }

    /// [`Self::add`] with the ratio to `base` of another figure, named `to`.
    pub fn add_vs(
        &mut self,
        figure: impl Into<String>,
        value: f64,
        unit: Unit,
        base: Option<f64>,
        to: &'static str,
        target: Option<Target>,
    ) {
        let ratio = base.filter(|b| *b > 0.0).map(|b| value / b);
        let row = Row {
            figure: figure.into(),
            value,
            unit,
            ratio,
            target,
            ratio_to: to,
        };
        eprintln!(
            "  {:<52} {:>14}  {}",
            row.figure,
            fmt(row.value, row.unit),
            row.ratio
                .map_or(String::new(), |r| format!("{r:.2}× {}", row.ratio_to))
        );
        self.rows.push(row);
    }

    /// Records a broken promise: the run prints it and exits non-zero.
    pub fn fail(&mut self, line: impl Into<String>) {
        let line = line.into();
        eprintln!("  FAILED: {line}");
        self.notes.push(format!("**FAILED:** {line}"));
        self.failures.push(line);
    }

    pub fn note(&mut self, line: impl Into<String>) {
        let line = line.into();
        eprintln!("  note: {line}");
        self.notes.push(line);
    }

    /// The table in Markdown: figure, target, measured, ratio to bare, met?
    #[must_use]
    pub fn markdown(&self) -> String {
        let mut out = String::from(
            "| figure | target | measured | ratio to bare | met? |\n|---|---|---|---|---|\n",
        );
        for r in &self.rows {
            let target = r
                .target
                .map_or_else(|| "—".to_owned(), |t| t.describe(r.unit));
            let ratio = r.ratio.map_or_else(
                || "—".to_owned(),
                |x| match r.ratio_to {
                    "bare" => format!("{x:.2}×"),
                    to => format!("{x:.2}× {to}"),
                },
            );
            let met = match r.target.and_then(|t| t.met(r.value, r.ratio)) {
                Some(true) => "yes",
                Some(false) => "**no**",
                None => "—",
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                r.figure,
                target,
                fmt(r.value, r.unit),
                ratio,
                met
            );
        }
        for n in &self.notes {
            let _ = writeln!(out, "\n- {n}");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_of_microseconds_come_out_in_milliseconds() {
        let mut h = crate::load::histogram();
        for us in 1..=1000 {
            h.record(us).unwrap();
        }
        assert!((percentile_ms(&h, 0.5) - 0.5).abs() < 0.002);
        assert!((percentile_ms(&h, 0.99) - 0.99).abs() < 0.002);
        assert!((percentile_ms(&h, 1.0) - 1.0).abs() < 0.002);
        assert!(percentile_ms(&crate::load::histogram(), 0.99).abs() < f64::EPSILON);
    }

    #[test]
    fn formats_units_for_people() {
        assert_eq!(fmt(12_345.0, Unit::PerSec), "12.3k/s");
        assert_eq!(fmt(950.0, Unit::PerSec), "950/s");
        assert_eq!(fmt(0.842, Unit::Millis), "0.84 ms");
        assert_eq!(fmt(412_000_000.0, Unit::Bytes), "412.0 MB");
        assert_eq!(fmt(0.031, Unit::Cores), "3.1 % core");
        assert!((per_sec(500, Duration::from_millis(250)) - 2000.0).abs() < 1e-9);
        assert!(per_sec(5, Duration::ZERO).abs() < f64::EPSILON);
    }

    #[test]
    fn table_shows_ratio_and_whether_targets_are_met() {
        let mut r = Report::default();
        r.add(
            "renew throughput",
            30_000.0,
            Unit::PerSec,
            Some(60_000.0),
            Some(Target::RatioAtLeast(0.5)),
        );
        r.add(
            "idle RSS",
            40_000_000.0,
            Unit::Bytes,
            None,
            Some(Target::AtMost(30_000_000.0)),
        );
        r.add("grants", 5.0, Unit::Count, None, None);
        let md = r.markdown();
        assert!(
            md.contains("| renew throughput | ≥ 0.5× bare | 30.0k/s | 0.50× | yes |"),
            "{md}"
        );
        assert!(
            md.contains("| idle RSS | ≤ 30.0 MB | 40.0 MB | — | **no** |"),
            "{md}"
        );
        assert!(md.contains("| grants | — | 5 | — | — |"), "{md}");
    }
}
