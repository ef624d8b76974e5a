//! A product's rules: subjects resolved against the groups, seats checked,
//! the same subject twice and rules that cancel each other refused.

use super::super::group::Group;
use super::super::names::{Kind, Subject, name_key};
use super::{
    Exclude, Include, Limit, Parser, PolicyError, ProductRules, RawLimit, RawProduct, Target,
    include_text, rule_ref, show_name,
};
use std::collections::HashMap;
use toml::Spanned;

impl Parser<'_> {
    pub(super) fn product(
        &mut self,
        line: u32,
        raw: RawProduct,
        groups: &[Group],
        by_key: &HashMap<String, usize>,
    ) -> Result<ProductRules, PolicyError> {
        let mut rules = ProductRules {
            line,
            ..ProductRules::default()
        };
        let mut excluded: HashMap<Subject, u32> = HashMap::new();
        for entry in raw.exclude {
            let target = self.target(entry, groups, by_key)?;
            self.once("exclude", &target, &mut excluded)?;
            let rule = rule_ref(
                &format!("exclude {}", target.written),
                self.file,
                target.line,
            );
            rules.exclude.push(Exclude { target, rule });
        }
        if let Some(list) = raw.include {
            let line = self.line(list.span().start);
            let mut included: HashMap<Subject, u32> = HashMap::new();
            let mut targets = Vec::new();
            for entry in list.into_inner() {
                let target = self.target(entry, groups, by_key)?;
                self.once("include", &target, &mut included)?;
                if let Some(other) = excluded.get(&target.subject) {
                    return Err(self.at(
                        target.line,
                        format!(
                            "{} is both included and excluded (line {other}); an exclude wins, so remove one",
                            target.written
                        ),
                    ));
                }
                targets.push(target);
            }
            let rule = rule_ref(&include_text(&targets), self.file, line);
            rules.include = Some(Include { targets, rule });
        }
        rules.max = self.limits("max", raw.max, groups, by_key)?;
        rules.reserve = self.limits("reserve", raw.reserve, groups, by_key)?;
        for reserve in &rules.reserve {
            let t = &reserve.target;
            if let Some(max) = rules.max.iter().find(|m| m.target.subject == t.subject)
                && max.seats < reserve.seats
            {
                return Err(self.at(
                    t.line,
                    format!(
                        "reserve {} for {} is more than max {} for it (line {}): {} reserved seats could never be used",
                        reserve.seats,
                        t.written,
                        max.seats,
                        max.target.line,
                        reserve.seats - max.seats
                    ),
                ));
            }
            if let Some(other) = excluded.get(&t.subject) {
                return Err(self.at(
                    t.line,
                    format!(
                        "reserve for {}, which is excluded (line {other}): its seats would be kept for nobody",
                        t.written
                    ),
                ));
            }
        }
        if let Some(keep) = raw.keep_unborrowed {
            let line = self.line(keep.span().start);
            rules.keep_unborrowed = u32::try_from(*keep.get_ref()).map_err(|_| {
                self.at(
                    line,
                    format!(
                        "keep_unborrowed = {}: give a number of seats, 0 or more",
                        keep.get_ref()
                    ),
                )
            })?;
        }
        Ok(rules)
    }

    /// `max` or `reserve` rules, each subject once.
    fn limits(
        &mut self,
        what: &str,
        raw: Vec<Spanned<RawLimit>>,
        groups: &[Group],
        by_key: &HashMap<String, usize>,
    ) -> Result<Vec<Limit>, PolicyError> {
        let mut seen: HashMap<Subject, u32> = HashMap::new();
        let mut limits = Vec::with_capacity(raw.len());
        for limit in raw {
            let limit = limit.into_inner();
            let line = self.line(limit.seats.span().start);
            let seats = *limit.seats.get_ref();
            let target = self.target(limit.subject, groups, by_key)?;
            if seats < 1 {
                let hint = if what == "max" {
                    "to keep someone off the product, use exclude"
                } else {
                    "remove the rule to reserve nothing"
                };
                let reason = format!(
                    "{what} for {}: seats = {seats}; give 1 or more ({hint})",
                    target.written
                );
                return Err(self.at(line, reason));
            }
            let seats = u32::try_from(seats).map_err(|_| {
                let reason = format!(
                    "{what} for {}: seats = {seats} is more than any licence has",
                    target.written
                );
                self.at(line, reason)
            })?;
            self.once(what, &target, &mut seen)?;
            let rule = rule_ref(
                &format!("{what} {seats} for {}", target.written),
                self.file,
                target.line,
            );
            limits.push(Limit {
                target,
                seats,
                rule,
            });
        }
        Ok(limits)
    }

    /// Refuses a subject a list already names.
    fn once(
        &self,
        what: &str,
        target: &Target,
        seen: &mut HashMap<Subject, u32>,
    ) -> Result<(), PolicyError> {
        match seen.insert(target.subject.clone(), target.line) {
            Some(first) => Err(self.at(
                target.line,
                format!(
                    "{what} names {} twice (also on line {first}; names compare without regard to case); keep one",
                    target.written
                ),
            )),
            None => Ok(()),
        }
    }

    /// `user:NAME`, `host:NAME` or `group:NAME`, the group defined.
    fn target(
        &mut self,
        raw: Spanned<String>,
        groups: &[Group],
        by_key: &HashMap<String, usize>,
    ) -> Result<Target, PolicyError> {
        let line = self.line(raw.span().start);
        self.count(line)?;
        let written = raw.into_inner();
        let Some((kind, name)) = Kind::split(&written) else {
            return Err(self.at(
                line,
                format!(
                    "`{}` is not a subject: write user:NAME, host:NAME or group:NAME",
                    show_name(&written)
                ),
            ));
        };
        self.name_ok(&format!("{} name", kind.prefix()), name, line)?;
        let key = name_key(name);
        let subject = match kind {
            Kind::User => Subject::User(key),
            Kind::Host => Subject::Host(key),
            Kind::Group => match by_key.get(&key) {
                Some(&i) => Subject::Group(i),
                None => return Err(self.at(line, unknown_group(name, groups))),
            },
        };
        Ok(Target {
            subject,
            sid: 0,
            written: format!("{}:{name}", kind.prefix()),
            line,
        })
    }
}

fn unknown_group(name: &str, groups: &[Group]) -> String {
    const LISTED: usize = 8;
    let mut reason = format!("group `{}` is not defined under [groups]", show_name(name));
    if groups.is_empty() {
        reason.push_str(" (there are no groups)");
    } else {
        let names: Vec<String> = groups
            .iter()
            .take(LISTED)
            .map(|g| show_name(&g.name))
            .collect();
        reason.push_str(&format!(" (the groups are: {}", names.join(", ")));
        if groups.len() > LISTED {
            reason.push_str(&format!(", … {} more", groups.len() - LISTED));
        }
        reason.push(')');
    }
    reason
}
