//! Rule selection: which rules report, from `--select`, `--extend-select`
//! and `--ignore` on the command line and `off` rules in `.orgtoken.toml`,
//! resolved as ruff resolves them.
//!
//! A selector is `ALL`, a rule id (`OT001`), a rule name
//! (`cross-environment-token`) or a prefix of rule ids (`OT00`), in any
//! case. For each rule the most specific selector that matches it decides
//! (a full id or name beats a prefix, a longer prefix a shorter one, any
//! prefix `ALL`); between equally specific ones the command line beats the
//! project file, and `--ignore` beats a selection. Without `--select` every
//! rule is selected by an implicit `ALL`; with it, only what it names (and
//! what `--extend-select` adds). So `--select OT00 --ignore OT004` reports
//! OT001…OT006 but OT004, `--ignore OT00 --extend-select OT006` only
//! OT006, and `--select OT002` brings back a rule the project file turns
//! `off` (where `--select ALL` does not).

use std::collections::BTreeMap;

use crate::catalog::catalog;
use crate::project::RuleSetting;
use crate::scan::ScanResult;

/// The command line's selectors, as given (comma-separated values allowed).
#[derive(Debug, Clone, Default)]
pub struct Selectors {
    pub select: Option<Vec<String>>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
}

/// A selector after checking: the rule ids it matches and how specific it is.
#[derive(Debug, Clone)]
struct Selector {
    specificity: usize,
    rules: Vec<String>,
}

/// Specificity of a full rule id or name.
const EXACT: usize = usize::MAX;

/// Checks one selector against the catalog; errors name `flag`.
fn selector(text: &str, flag: &str) -> Result<Selector, String> {
    let t = text.trim();
    let rules = &catalog().rules;
    if t.eq_ignore_ascii_case("ALL") {
        return Ok(Selector {
            specificity: 0,
            rules: rules.iter().map(|r| r.id.clone()).collect(),
        });
    }
    if let Some(r) = rules
        .iter()
        .find(|r| r.id.eq_ignore_ascii_case(t) || r.name.eq_ignore_ascii_case(t))
    {
        return Ok(Selector {
            specificity: EXACT,
            rules: vec![r.id.clone()],
        });
    }
    let upper = t.to_ascii_uppercase();
    let matched: Vec<String> = rules
        .iter()
        .filter(|r| !t.is_empty() && r.id.starts_with(&upper))
        .map(|r| r.id.clone())
        .collect();
    if matched.is_empty() {
        return Err(format!(
            "{flag} `{}`: no rule id, name or id prefix matches (e.g. OT001, OT00, ALL, hardcoded-token; `orgtoken rules` lists them)",
            crate::project::quote(t)
        ));
    }
    Ok(Selector {
        specificity: t.len(),
        rules: matched,
    })
}

fn selectors(values: &[String], flag: &str) -> Result<Vec<Selector>, String> {
    values
        .iter()
        .flat_map(|v| v.split(','))
        .filter(|s| !s.trim().is_empty())
        .map(|s| selector(s, flag))
        .collect()
}

/// Where a rule's final verdict came from (to count what it hides).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Source {
    Default,
    Project,
    CommandLine,
}

/// The resolved selection: for each rule id, whether it reports and which
/// source decided.
#[derive(Debug, Clone)]
pub struct Selection {
    rules: BTreeMap<String, (bool, Source)>,
}

impl Selection {
    /// Resolves the command line's selectors over the project file's rule
    /// settings (ids already canonical). Errors name the flag and value.
    pub fn resolve(cli: &Selectors, project: Option<&BTreeMap<String, RuleSetting>>) -> Result<Selection, String> {
        // (specificity, source, ignore) orders the candidates: the greatest decides.
        let mut entries: Vec<(usize, Source, bool, Vec<String>)> = Vec::new();
        let all: Vec<String> = catalog().rules.iter().map(|r| r.id.clone()).collect();
        match &cli.select {
            None => entries.push((0, Source::Default, false, all.clone())),
            Some(values) => {
                for s in selectors(values, "--select")? {
                    entries.push((s.specificity, Source::CommandLine, false, s.rules));
                }
            }
        }
        for (id, setting) in project.into_iter().flatten() {
            if *setting == RuleSetting::Off {
                entries.push((EXACT, Source::Project, true, vec![id.clone()]));
            }
        }
        for s in selectors(&cli.extend_select, "--extend-select")? {
            entries.push((s.specificity, Source::CommandLine, false, s.rules));
        }
        for s in selectors(&cli.ignore, "--ignore")? {
            entries.push((s.specificity, Source::CommandLine, true, s.rules));
        }
        let rules = all
            .into_iter()
            .map(|id| {
                let verdict = entries
                    .iter()
                    .filter(|e| e.3.contains(&id))
                    .max_by_key(|e| (e.0, e.1, e.2))
                    .map(|e| (!e.2, e.1))
                    // Named by no selector: `--select` left it out.
                    .unwrap_or((false, Source::CommandLine));
                (id, verdict)
            })
            .collect();
        Ok(Selection { rules })
    }

    /// Removes the findings of rules that do not report: counted as turned
    /// off by the project file or as not selected on the command line,
    /// after the source that decided.
    pub fn apply(&self, result: &mut ScanResult) {
        let mut by_config = 0;
        let mut not_selected = 0;
        result.findings.retain(|f| match self.rules.get(f.rule) {
            Some((false, source)) => {
                if *source == Source::Project {
                    by_config += 1;
                } else {
                    not_selected += 1;
                }
                false
            }
            _ => true,
        });
        result.filtered.left_out.by_config += by_config;
        result.filtered.left_out.not_selected += not_selected;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on(cli: Selectors, project: &[(&str, RuleSetting)]) -> Vec<String> {
        let p: BTreeMap<String, RuleSetting> = project.iter().map(|(k, v)| (k.to_string(), *v)).collect();
        let s = Selection::resolve(&cli, Some(&p)).unwrap();
        s.rules.iter().filter(|(_, v)| v.0).map(|(k, _)| k.clone()).collect()
    }

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn specificity_and_sources_decide() {
        let all = v(&["OT001", "OT002", "OT003", "OT004", "OT005", "OT006", "OT007"]);
        assert_eq!(on(Selectors::default(), &[]), all);
        assert_eq!(
            on(Selectors::default(), &[("OT002", RuleSetting::Off)]),
            v(&["OT001", "OT003", "OT004", "OT005", "OT006", "OT007"])
        );
        let sel = |s: &[&str], e: &[&str], i: &[&str]| Selectors {
            select: (!s.is_empty()).then(|| v(s)),
            extend_select: v(e),
            ignore: v(i),
        };
        assert_eq!(on(sel(&["OT001,ot006"], &[], &[]), &[]), v(&["OT001", "OT006"]));
        assert_eq!(on(sel(&["hardcoded-token"], &[], &[]), &[]), v(&["OT006"]));
        assert_eq!(
            on(sel(&["OT00"], &[], &["OT004"]), &[]),
            v(&["OT001", "OT002", "OT003", "OT005", "OT006", "OT007"])
        );
        assert_eq!(on(sel(&[], &["OT006"], &["OT00"]), &[]), v(&["OT006"]));
        // `ALL` is less specific than the project file's `off`; a full id is not.
        assert_eq!(on(sel(&["ALL"], &[], &[]), &[("OT002", RuleSetting::Off)]).len(), 6);
        assert_eq!(
            on(sel(&["OT002"], &[], &[]), &[("OT002", RuleSetting::Off)]),
            v(&["OT002"])
        );
        assert_eq!(on(sel(&[], &["OT002"], &[]), &[("OT002", RuleSetting::Off)]), all);
        // Equal specificity: --ignore wins.
        assert_eq!(on(sel(&["OT001"], &[], &["OT001"]), &[]), Vec::<String>::new());
    }

    #[test]
    fn unknown_selectors_are_errors_naming_the_flag() {
        let e = Selection::resolve(
            &Selectors {
                ignore: v(&["OT9"]),
                ..Default::default()
            },
            None,
        )
        .unwrap_err();
        assert!(e.starts_with("--ignore `OT9`: no rule"), "{e}");
        let e = Selection::resolve(
            &Selectors {
                select: Some(v(&["E501"])),
                ..Default::default()
            },
            None,
        )
        .unwrap_err();
        assert!(e.starts_with("--select `E501`"), "{e}");
    }
}
