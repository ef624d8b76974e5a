//! The policy as the admin API shows it ([`crate::wire::policy`]).

use super::rules::{Limit, RuleRef, Target};
use super::{PRECEDENCE, Policy};
use crate::ids::Product;
use crate::wire::policy::{
    PolicyGroupView, PolicyRuleKind, PolicyRuleView, PolicyView, PrecedenceStep, ProductPolicyView,
};

/// [`PRECEDENCE`] as the wire shows it.
#[must_use]
pub fn precedence() -> Vec<PrecedenceStep> {
    (1..)
        .zip(PRECEDENCE)
        .map(|(step, s)| PrecedenceStep {
            step,
            rule: s.rule.to_owned(),
            effect: s.effect.to_owned(),
            code: s.code,
        })
        .collect()
}

fn rule(
    kind: PolicyRuleKind,
    target: &Target,
    seats: Option<u32>,
    rule: &RuleRef,
) -> PolicyRuleView {
    PolicyRuleView {
        kind,
        subject: target.written.clone(),
        seats,
        line: target.line,
        text: rule.text.to_string(),
    }
}

fn limit(kind: PolicyRuleKind, l: &Limit) -> PolicyRuleView {
    rule(kind, &l.target, Some(l.seats), &l.rule)
}

impl Policy {
    /// Its groups and each product's rules with their lines, in file order,
    /// and the order of precedence.
    #[must_use]
    pub fn view(&self) -> PolicyView {
        let groups = self
            .groups
            .iter()
            .map(|g| PolicyGroupView {
                name: g.name.clone(),
                line: g.line,
                users: g.users.clone(),
                hosts: g.hosts.clone(),
            })
            .collect();
        let mut products: Vec<ProductPolicyView> = self
            .products
            .iter()
            .map(|(name, p)| {
                let mut rules = Vec::new();
                for x in &p.exclude {
                    rules.push(rule(PolicyRuleKind::Exclude, &x.target, None, &x.rule));
                }
                if let Some(include) = &p.include {
                    for t in &include.targets {
                        rules.push(rule(PolicyRuleKind::Include, t, None, &include.rule));
                    }
                }
                rules.extend(p.max.iter().map(|l| limit(PolicyRuleKind::Max, l)));
                rules.extend(p.reserve.iter().map(|l| limit(PolicyRuleKind::Reserve, l)));
                ProductPolicyView {
                    product: Product::from(name.as_str()),
                    line: p.line,
                    rules,
                    keep_unborrowed: p.keep_unborrowed,
                }
            })
            .collect();
        products.sort_by_key(|p| p.line);
        PolicyView {
            file: self.file.clone(),
            groups,
            products,
            precedence: precedence(),
        }
    }
}
