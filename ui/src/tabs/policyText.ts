// How the seat policy reads in the UI: lines named in the server's words,
// rules in words, and the README's example policy.
import type { PolicyCheck, PolicyRuleKind, PolicyStatus, PrecedenceStep } from '../api';

/** The README's example ("The seat policy"), for the empty state. */
export const EXAMPLE_POLICY = `[groups]
cad-core = { users = ["alice", "bob"] }
lab      = { hosts = ["lab-pc-01", "lab-pc-02"] }

[products.cad]
include = ["group:cad-core", "user:carol", "host:build-01"]  # only these (absent: everyone)
exclude = ["user:mallory"]                                    # never these
reserve = [{ seats = 3, for = "group:cad-core" }]             # seats kept for them
max     = [{ seats = 2, for = "host:lab-pc-01" }, { seats = 1, for = "user:bob" }]
keep_unborrowed = 2                                           # never lent out offline
`;

/**
 * The line a policy error names: the server writes `…/policy.toml:3: unknown
 * key …` (an invalid_policy refusal, or the status's `error`).
 */
export function errorLine(message: string | null | undefined): number | undefined {
  const m = /\.toml:(\d+)(?=[:\s,;)]|$)/.exec(message ?? '');
  const n = m ? Number(m[1]) : NaN;
  return n > 0 ? n : undefined;
}

/**
 * A policy error without the file and line it starts with (the page says
 * "line 3" itself): `…/policy.toml:3: unknown key` → `unknown key`.
 */
export function errorReason(message: string): string {
  return message.replace(/^.*?\.toml:\d+:\s*/, '');
}

/**
 * A rule as the server names it, `reserve 3 for group:cad-core (/var/lib/leasehold/policy.toml:9)`,
 * split into the rule and its line.
 */
export function splitRule(rule: string): { text: string; line?: number } {
  const m = /^(.*?) \((?:.*):(\d+)\)$/.exec(rule.trim());
  return m ? { text: m[1], line: Number(m[2]) } : { text: rule.trim() };
}

/** The dry run's sentence without the rule the server appends in brackets (it is shown apart). */
export function checkMessage(check: PolicyCheck): string {
  const rule = check.rule?.trim();
  let text = check.message.trim();
  if (rule && text.endsWith(`[${rule}]`)) text = text.slice(0, -rule.length - 2).trim();
  return text;
}

/**
 * The step of the order of precedence that decided a dry run: the rule's own
 * step (a rule's text starts with its key), else the step with its code,
 * else the licence's (the last).
 */
export function decidingStep(check: PolicyCheck, precedence: PrecedenceStep[]): PrecedenceStep | undefined {
  const key = check.rule?.trim().split(/\s/)[0];
  return (key && precedence.find((p) => p.rule === key))
    || (check.code ? precedence.find((p) => p.code === check.code) : undefined)
    || precedence[precedence.length - 1];
}

/** What a rule does to its subject, in a few words. */
export function ruleEffect(kind: PolicyRuleKind, seats?: number | null): string {
  switch (kind) {
    case 'exclude': return 'never';
    case 'include': return 'may use it';
    case 'max': return `at most ${seats ?? 0} ${seats === 1 ? 'seat' : 'seats'} at once`;
    case 'reserve': return `${seats ?? 0} ${seats === 1 ? 'seat' : 'seats'} kept for them`;
  }
}

/** "user carol", "group cad-core" from `user:carol`, `group:cad-core`. */
export function subjectWords(subject: string): { kind: string; name: string } {
  const i = subject.indexOf(':');
  return i > 0 ? { kind: subject.slice(0, i), name: subject.slice(i + 1) } : { kind: '', name: subject };
}

/** No policy: nothing in the file and no rule in force. */
export function isEmptyPolicy(s: PolicyStatus): boolean {
  return !s.text.trim() && !s.policy.groups.length && !s.policy.products.length;
}
