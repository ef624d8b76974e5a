//! `vendor issue`'s seat rules: overdraft, queue, named users, borrowing,
//! linger, feature counts and tokens, from flags to terms and back to words.

use clap::Args;
use leasehold_core::license::{
    DEFAULT_REASSIGN_AFTER_HOURS, FeatureSeats, MAX_BORROW_HOURS_LIMIT, MAX_LINGER_SECS,
    MAX_OVERDRAFT, MAX_REASSIGN_AFTER_HOURS, MAX_TOKENS, SeatRules, TokenPeriod, Tokens,
};

/// The flags of `vendor issue` that shape how seats are used.
#[derive(Debug, Args)]
pub struct SeatRuleArgs {
    /// A feature the code unlocks; repeat for several. `NAME:N` gives the
    /// feature N seats of its own, checked out under a product lease.
    #[arg(long = "feature", value_name = "F[:N]", value_parser = parse_feature)]
    pub features: Vec<(String, Option<u32>)>,
    /// Up to N seats beyond the licensed count; each such grant is marked
    /// `overdraft` (events, Computers tab, usage) so you can bill it.
    #[arg(long, value_name = "N", default_value_t = 0,
          value_parser = clap::value_parser!(u32).range(..=i64::from(MAX_OVERDRAFT)))]
    pub overdraft: u32,
    /// Clients may not wait in the server's queue for a seat of this code.
    #[arg(long)]
    pub no_queue: bool,
    /// The seats belong to users the admin names; only they may check out.
    #[arg(long)]
    pub named_users: bool,
    /// With `--named-users`: hours before a seat moved to another user may
    /// move again.
    #[arg(long, value_name = "HOURS", requires = "named_users",
          value_parser = clap::value_parser!(u32).range(..=i64::from(MAX_REASSIGN_AFTER_HOURS)))]
    pub reassign_after_hours: Option<u32>,
    /// Longest a seat may be borrowed for working without the server, in
    /// hours (0: no borrowing).
    #[arg(long, value_name = "HOURS", default_value_t = 0,
          value_parser = clap::value_parser!(u32).range(..=i64::from(MAX_BORROW_HOURS_LIMIT)))]
    pub max_borrow_hours: u32,
    /// Seconds a released seat stays kept for the user and computer that
    /// held it (applications that restart often keep their seat).
    #[arg(long, value_name = "S", default_value_t = 0,
          value_parser = clap::value_parser!(u32).range(..=i64::from(MAX_LINGER_SECS)))]
    pub linger_secs: u32,
    /// Consumption tokens: N units the product's applications spend
    /// (`client consume`), given again each period.
    #[arg(long, value_name = "N",
          value_parser = clap::value_parser!(u64).range(1..=MAX_TOKENS))]
    pub tokens: Option<u64>,
    /// With `--tokens`: given again each calendar month or year (UTC), or
    /// once for the code's life.
    #[arg(long, value_name = "PERIOD", requires = "tokens", default_value = "none",
          value_parser = parse_period)]
    pub tokens_period: TokenPeriod,
    /// With `--tokens`: units that may be spent beyond the balance, each
    /// marked so you can bill it.
    #[arg(long, value_name = "N", requires = "tokens", default_value_t = 0,
          value_parser = clap::value_parser!(u64).range(..=MAX_TOKENS))]
    pub tokens_overdraft: u64,
}

fn parse_period(text: &str) -> Result<TokenPeriod, String> {
    match text {
        "month" => Ok(TokenPeriod::Month),
        "year" => Ok(TokenPeriod::Year),
        "none" => Ok(TokenPeriod::None),
        other => Err(format!(
            "`{other}` is not a period: write month, year or none (given once)"
        )),
    }
}

impl SeatRuleArgs {
    /// The code's features and seat rules.
    #[must_use]
    pub fn into_terms(self) -> (Vec<String>, SeatRules) {
        let feature_seats = self
            .features
            .iter()
            .filter_map(|(feature, seats)| {
                seats.map(|seats| FeatureSeats {
                    feature: feature.clone(),
                    seats,
                })
            })
            .collect();
        let features = self.features.into_iter().map(|(f, _)| f).collect();
        let rules = SeatRules {
            overdraft: self.overdraft,
            no_queue: self.no_queue,
            named_users: self.named_users,
            reassign_after_hours: self
                .reassign_after_hours
                .unwrap_or(DEFAULT_REASSIGN_AFTER_HOURS),
            max_borrow_hours: self.max_borrow_hours,
            linger_secs: self.linger_secs,
            feature_seats,
            tokens: self.tokens.map(|units| Tokens {
                units,
                period: self.tokens_period,
                overdraft: self.tokens_overdraft,
            }),
            units_pool: false,
        };
        (features, rules)
    }
}

fn parse_feature(text: &str) -> Result<(String, Option<u32>), String> {
    let Some((name, count)) = text.rsplit_once(':') else {
        return Ok((text.to_owned(), None));
    };
    match count.parse::<u32>() {
        Ok(n) if n >= 1 => Ok((name.to_owned(), Some(n))),
        _ => Err(format!(
            "`{count}` is not a seat count: write the feature as NAME or NAME:N with N at least 1 (e.g. render:4)"
        )),
    }
}

/// The features with their counts, as `inspect` shows them.
#[must_use]
pub fn features_text(features: &[String], rules: &SeatRules) -> String {
    if features.is_empty() {
        return "(none)".to_owned();
    }
    features
        .iter()
        .map(
            |f| match rules.feature_seats.iter().find(|s| &s.feature == f) {
                Some(s) => format!("{f} ({} seat(s))", s.seats),
                None => f.clone(),
            },
        )
        .collect::<Vec<_>>()
        .join(", ")
}

/// The seat rules in words, one row each, for `inspect`.
#[must_use]
pub fn rows(r: &SeatRules) -> Vec<(&'static str, String)> {
    let hours = |h: u32| format!("{h} hour(s)");
    vec![
        (
            "overdraft",
            if r.overdraft == 0 {
                "none (never beyond the seats)".to_owned()
            } else {
                format!(
                    "up to {} seat(s) beyond the licence, marked for billing",
                    r.overdraft
                )
            },
        ),
        (
            "queue",
            if r.no_queue { "not allowed" } else { "allowed" }.to_owned(),
        ),
        (
            "named users",
            if r.named_users {
                format!(
                    "yes; a seat moves again after {}",
                    hours(r.reassign_after_hours)
                )
            } else {
                "no (floating)".to_owned()
            },
        ),
        (
            "borrowing",
            if r.max_borrow_hours == 0 {
                "not allowed".to_owned()
            } else {
                format!("up to {}", hours(r.max_borrow_hours))
            },
        ),
        (
            "linger",
            if r.linger_secs == 0 {
                "none".to_owned()
            } else {
                format!("{} s", r.linger_secs)
            },
        ),
        ("tokens", tokens_text(r.tokens.as_ref())),
    ]
}

fn tokens_text(tokens: Option<&Tokens>) -> String {
    let Some(t) = tokens else {
        return "none".to_owned();
    };
    let period = match t.period {
        TokenPeriod::Month => "each month",
        TokenPeriod::Year => "each year",
        TokenPeriod::None => "once",
    };
    let over = if t.overdraft == 0 {
        String::new()
    } else {
        format!(", and up to {} beyond, marked for billing", t.overdraft)
    };
    format!("{} unit(s) {period}{over}", t.units)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_feature_may_carry_a_count() {
        assert_eq!(parse_feature("export").unwrap(), ("export".into(), None));
        assert_eq!(
            parse_feature("render:4").unwrap(),
            ("render".into(), Some(4))
        );
        let e = parse_feature("render:0").unwrap_err();
        assert!(e.contains("NAME:N"), "{e}");
        assert!(parse_feature("render:many").is_err());
    }
}
