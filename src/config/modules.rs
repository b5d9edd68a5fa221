//! Settings written as code (`rules/profiles.toml` `[[module]]`): a Django
//! settings module or a Rails environment file is one profile, read off the
//! facts its front-end already lowered. Its settings are the unconditional
//! assignments to setting names (`ZOHO_API_DOMAIN = …`,
//! `config.x.zoho.api_domain = …`); it inherits the files the data names
//! and the modules it star-imports (`from .base import *`, at that line).

use super::{dir_of, file_name, systems};
use crate::facts::{Expr, ExprKind, FileFacts, Parent, ParentRef, Profile, Setting, Span};

/// Whether `path` is a settings module of `lang` (its lowering reads the path).
pub(crate) fn is_module(lang: &str, path: &str) -> bool {
    systems::module(lang, path).is_some()
}

/// Adds the profile of a settings module to `facts`, if `path` is one.
pub(crate) fn lower(lang: &str, path: &str, facts: &mut FileFacts) {
    let Some((def, files)) = systems::module(lang, path) else {
        return;
    };
    let mut parents: Vec<Parent> = files
        .into_iter()
        .map(|f| Parent {
            target: ParentRef::File(f),
            span: None,
        })
        .collect();
    if def.star_imports {
        for i in facts
            .imports
            .iter()
            .filter(|i| i.scope == 0 && i.name.as_deref() == Some("*"))
        {
            if let Some(file) = python_module_path(path, &i.module) {
                parents.push(Parent {
                    target: ParentRef::File(file),
                    span: Some(i.span),
                });
            }
        }
    }
    let mut settings = Vec::new();
    for a in facts.assigns.iter().filter(|a| a.guard.is_none()) {
        let key = match (&a.target.kind, def.member_root.as_deref()) {
            (ExprKind::Name(n), _) if def.upper_names && a.scope == 0 && super::is_setting_name(n) => n.to_string(),
            (_, Some(root)) => match path_of(&a.target) {
                Some(d) => match d.strip_prefix(root).and_then(|r| r.strip_prefix('.')) {
                    Some(k) if !k.is_empty() => k.to_string(),
                    _ => continue,
                },
                None => continue,
            },
            _ => continue,
        };
        settings.push(Setting {
            key,
            value: settings_value(&a.value),
            span: a.span,
            env: false,
            via: None,
        });
    }
    if settings.is_empty() && parents.is_empty() {
        return;
    }
    let first = facts.scopes.first().map(|s| s.span).unwrap_or_default();
    facts.profiles.push(Profile {
        name: file_name(path).to_string(),
        span: Span {
            end: first.start,
            ..first
        },
        parents,
        settings,
        template: super::dialect::is_template_name(file_name(path)),
    });
}

/// `config.x.zoho.api_domain` as a dotted path, whether each step is a
/// member or a call without arguments (Ruby).
fn path_of(e: &Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Name(n) => Some(n.to_string()),
        ExprKind::Member(o, m) => path_of(o).map(|p| format!("{p}.{m}")),
        ExprKind::Call(c) if c.args.is_empty() && !c.is_new => path_of(&c.callee),
        // A bare Ruby name: a local variable or a method call.
        ExprKind::Alt { alts, .. } if alts.len() == 1 => path_of(&alts[0]),
        _ => None,
    }
}

/// A value as the profile linker reads it (strings, env reads, their
/// concatenations and `or` defaults); anything else is an unknown value.
fn settings_value(e: &Expr) -> Expr {
    match &e.kind {
        ExprKind::Str(_) | ExprKind::Env(_) => e.clone(),
        ExprKind::Concat(parts) => Expr::new(ExprKind::Concat(parts.iter().map(settings_value).collect()), e.span),
        ExprKind::Alt { alts, .. } => Expr::new(
            ExprKind::Alt {
                cond: None,
                alts: alts.iter().map(settings_value).collect(),
            },
            e.span,
        ),
        _ => Expr::unknown(e.span),
    }
}

/// `.base` from `crm/settings/sandbox.py` → `crm/settings/base.py`;
/// `..common` → `crm/common.py`; `crm.settings.base` → `crm/settings/base.py`
/// (from the scan root).
fn python_module_path(path: &str, module: &str) -> Option<String> {
    let dots = module.chars().take_while(|c| *c == '.').count();
    let rest = &module[dots..];
    if rest.is_empty() {
        return None;
    }
    let tail = format!("{}.py", rest.replace('.', "/"));
    if dots == 0 {
        return Some(tail);
    }
    let mut dir = dir_of(path).trim_end_matches('/').to_string();
    for _ in 1..dots {
        match dir.rfind('/') {
            Some(i) => dir.truncate(i),
            None if !dir.is_empty() => dir.clear(),
            None => return None,
        }
    }
    Some(if dir.is_empty() { tail } else { format!("{dir}/{tail}") })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_paths() {
        assert_eq!(
            python_module_path("crm/settings/sandbox.py", ".base").as_deref(),
            Some("crm/settings/base.py")
        );
        assert_eq!(
            python_module_path("crm/settings/sandbox.py", "..common").as_deref(),
            Some("crm/common.py")
        );
        assert_eq!(python_module_path("settings.py", "..x"), None);
        assert_eq!(python_module_path("a/b.py", "x.y").as_deref(), Some("x/y.py"));
    }

    #[test]
    fn django_and_rails_profiles() {
        let text =
            "from .base import *\nimport os\nDEBUG = True\nZOHO_API = os.environ['ZOHO_API']\nif DEBUG:\n    X = 'y'\n";
        let f = crate::frontend::lower(crate::facts::Lang::Python, "crm/settings/sandbox.py", text);
        let p = &f.profiles[0];
        assert_eq!(p.parents[0].target, ParentRef::File("crm/settings/base.py".into()));
        assert_eq!(f.line(p.parents[0].span.unwrap()), 1);
        let keys: Vec<&str> = p.settings.iter().map(|s| s.key.as_str()).collect();
        assert_eq!(keys, vec!["DEBUG", "ZOHO_API"]);
        assert!(matches!(&p.settings[1].value.kind, ExprKind::Env(n) if &**n == "ZOHO_API"));
        let text =
            "Rails.application.configure do\n  config.x.zoho.api_domain = \"https://sandbox.zohoapis.com\"\nend\n";
        let f = crate::frontend::lower(crate::facts::Lang::Ruby, "config/environments/staging.rb", text);
        assert_eq!(f.profiles[0].settings[0].key, "x.zoho.api_domain");
        assert_eq!(
            f.profiles[0].parents[0].target,
            ParentRef::File("config/application.rb".into())
        );
        assert!(
            crate::frontend::lower(crate::facts::Lang::Python, "crm/views.py", "X = 1\n")
                .profiles
                .is_empty()
        );
    }
}
