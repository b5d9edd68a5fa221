//! Orgs (DESIGN §2): the org a request selects (`X-CRM-ORG`, an SDK org
//! parameter) or a token request mints for (`soid=ZohoCRM.<org id>`).
//!
//! `bind.rs` meets org values in the slots the catalog's `[org]` names and
//! hands them here; this module turns a value into an [`OrgAlt`], records the
//! org a minted token was minted for, and binds the SDK's org-selecting
//! calls to the token the SDK was initialised with.

use std::rc::Rc;

use rustc_hash::FxHashMap as HashMap;

use super::bind::Ingredients;
use super::bindings::make_binding;
use super::eval::literal_text;
use super::syntax::chain_calls;
use super::{Cx, Linker, Piece, SymKind, VKind, Val};
use crate::catalog::catalog;
use crate::facts::{FileId, ScopeId, ScopeKind};
use crate::model::*;

impl Linker<'_> {
    /// The org in a value found in an org slot: a literal id (its service
    /// prefix cut), a named setting, a parameter, or a value chosen at run
    /// time (a loop, a lookup).
    pub(super) fn org_from(&self, v: &Val, ing: &mut Ingredients, depth: usize) {
        if depth > 6 {
            return;
        }
        let org = &catalog().org;
        let (r, origin) = match &v.kind {
            VKind::Str(pieces) => {
                if let Some(Piece::Hole(h)) = pieces.iter().find(|p| matches!(p, Piece::Hole(_))) {
                    // "ZohoCRM." + org: the org is the hole.
                    let mut h = (**h).clone();
                    h.inherit_sel(v);
                    return self.org_from(&h, ing, depth + 1);
                }
                let (text, at) = literal_text(pieces).unwrap_or((String::new(), v.at));
                match org.org_id(&text) {
                    Some(id) if !id.is_empty() => (OrgRef::Id(id.to_string()), at),
                    _ => return,
                }
            }
            VKind::Env(n) => (OrgRef::Named(format!("env:{n}")), v.at),
            VKind::Sym(s, SymKind::Param) => (OrgRef::Param(s.to_string()), v.at),
            VKind::Sym(s, _) => (OrgRef::Named(s.to_string()), v.at),
            _ if v.switch().is_some() => (OrgRef::Unknown, v.at),
            _ => return,
        };
        if v.via_param {
            ing.via_param = true;
        }
        ing.orgs.push(OrgAlt {
            org: r,
            origin,
            selector: v.sel_str().map(str::to_string),
            switch: v.switch(),
        });
    }

    /// An org written inside a string: a header line (`"X-CRM-ORG: " +
    /// org`) or a token request's org parameter (`"…&soid=ZohoCRM." +
    /// org`). Returns whether the string is an org header line (it then
    /// holds nothing else).
    pub(super) fn org_in_pieces(&self, v: &Val, pieces: &[Piece], ing: &mut Ingredients, depth: usize) -> bool {
        let org = &catalog().org;
        for (i, p) in pieces.iter().enumerate() {
            let Piece::Lit(s, at) = p else { continue };
            let lead = s.len() - s.trim_start().len();
            let (start, line) = if let Some(n) = org.header_line_len(&s[lead..]) {
                (lead + n, true)
            } else if let Some(n) = org.token_param_value(s) {
                (n, false)
            } else {
                continue;
            };
            let rest = s[start..].split('&').next().unwrap_or("");
            let ends_here = start + rest.len() < s.len();
            match org.org_id(rest) {
                Some(id) if !id.is_empty() => {
                    let lit = val_at(VKind::Str(vec![Piece::Lit(rest.to_string(), *at)]), v, *at);
                    self.org_from(&lit, ing, depth + 1);
                }
                // The id follows in a hole: "soid=ZohoCRM." + org.
                _ if !ends_here => {
                    if let Some(Piece::Hole(h)) = pieces.get(i + 1) {
                        let mut h = (**h).clone();
                        h.inherit_sel(v);
                        self.org_from(&h, ing, depth + 1);
                    }
                }
                _ => {}
            }
            if line {
                return true;
            }
        }
        false
    }

    /// An org that is a function's parameter is what the function's callers
    /// pass: one fixed org when they all pass the same one, the orgs they
    /// pass (chosen by the parameter) when they differ, nothing when they
    /// pass none the analysis knows. A parameter no caller in the
    /// repository fills in stays a parameter (each caller picks an org).
    /// The call sites (file, index in its calls) whose call chain has a
    /// call of this name, from [`Linker::calls_by_name`], built on first use.
    pub(super) fn calls_named(&self, name: &str) -> impl Iterator<Item = (FileId, usize)> + '_ {
        let by = self.calls_by_name.get_or_init(|| {
            let mut by: HashMap<&str, Vec<(u32, u32)>> = HashMap::default();
            for (cf, f) in self.files.iter().enumerate() {
                for (ci, cs) in f.facts.calls.iter().enumerate() {
                    let at = (cf as u32, ci as u32);
                    for call in chain_calls(&cs.expr) {
                        if let Some(n) = call.callee.last_name() {
                            let v = by.entry(n).or_default();
                            if v.last() != Some(&at) {
                                v.push(at);
                            }
                        }
                    }
                }
            }
            by.into_iter().map(|(n, v)| (n, v.into_boxed_slice())).collect()
        });
        let sites = by.get(name).map(|v| &v[..]).unwrap_or_default();
        sites.iter().map(|&(f, c)| (f as FileId, c as usize))
    }

    pub(super) fn resolve_param_orgs(&self, orgs: &mut Vec<OrgAlt>) {
        if !orgs.iter().any(|o| matches!(o.org, OrgRef::Param(_))) {
            return;
        }
        let mut out = Vec::new();
        for o in orgs.drain(..) {
            let OrgRef::Param(sym) = &o.org else {
                out.push(o);
                continue;
            };
            match self
                .param_scope(&o, sym)
                .and_then(|(f, s, p)| self.caller_orgs(f, s, &p))
            {
                Some(alts) => out.extend(alts.iter().cloned()),
                None => out.push(o),
            }
        }
        *orgs = out;
    }

    /// The function and parameter name a parameter org is read from (the
    /// innermost function around where it is read whose parameter it is).
    fn param_scope(&self, o: &OrgAlt, sym: &str) -> Option<(FileId, ScopeId, String)> {
        let file = o.origin.file;
        let facts = self.facts(file);
        let at = o.origin.span;
        let tail = sym.rsplit("::").next()?;
        facts
            .scopes
            .iter()
            .enumerate()
            .filter(|(_, s)| s.kind == ScopeKind::Function && s.span.start <= at.start && at.end <= s.span.end)
            .min_by_key(|(_, s)| s.span.end - s.span.start)
            .and_then(|(fscope, s)| {
                let name = tail
                    .strip_prefix(facts.scope_path(fscope).as_str())?
                    .strip_prefix('.')?;
                s.params
                    .iter()
                    .any(|p| p == name)
                    .then(|| (file, fscope, name.to_string()))
            })
    }

    /// The orgs the callers of a repository function pass as its parameter
    /// `param`; `None` when no call to it is found.
    fn caller_orgs(&self, file: FileId, fscope: ScopeId, param: &str) -> super::CallerOrgs {
        let key = (file, fscope, param.to_string());
        if let Some(c) = self.param_orgs.borrow().get(&key) {
            return c.clone();
        }
        if !self.enter_object((file, format!("{param}#orgcallers{fscope}"))) {
            return None;
        }
        let fname = self.facts(file).scopes[fscope].name.clone();
        let mut callers = 0;
        let mut ing = Ingredients::default();
        for (cf, ci) in self.calls_named(&fname) {
            let cs = &self.files[cf].facts.calls[ci];
            for call in chain_calls(&cs.expr) {
                if fname.is_empty() || call.callee.last_name() != Some(fname.as_str()) {
                    continue;
                }
                let callee = self.eval_callee(cf, cs.scope, &call.callee, None);
                if !callee
                    .iter()
                    .any(|v| matches!(v.kind, VKind::Func(a, b) if a == file && b == fscope))
                {
                    continue;
                }
                callers += 1;
                let p = self.bind_params(Cx::new(cf, cs.scope, None), (file, fscope), call);
                for v in p.get(param).into_iter().flatten() {
                    self.org_from(v, &mut ing, 1);
                }
            }
        }
        self.leave_object();
        let r = (callers > 0).then(|| {
            let mut alts = ing.orgs;
            alts.sort();
            alts.dedup();
            let fixed: Vec<&OrgRef> = alts.iter().filter(|o| !o.varies()).map(|o| &o.org).collect();
            let several = fixed.iter().any(|o| *o != fixed[0]);
            if several {
                // Chosen by the parameter: each caller passes its own org.
                let sel = format!(
                    "{}::{}.{param}",
                    self.files[file].path,
                    self.facts(file).scope_path(fscope)
                );
                for o in alts.iter_mut().filter(|o| !o.varies()) {
                    o.selector = Some(sel.clone());
                }
            }
            Rc::new(alts)
        });
        self.param_orgs.borrow_mut().insert(key, r.clone());
        r
    }

    /// The org each minted token was minted for (`soid`), by the minted
    /// token's identity before any instance suffix.
    pub(super) fn note_minted_orgs(&self, id: &str, carried: &Ingredients) {
        let mut m = self.minted_orgs.borrow_mut();
        for o in &carried.orgs {
            let entry = (TokenIdentity::Minted(id.to_string()), o.clone());
            if !m.contains(&entry) {
                m.push(entry);
            }
        }
    }

    /// Minted tokens and the orgs they were minted for, sorted.
    pub fn minted_orgs(&self) -> Vec<(TokenIdentity, OrgAlt)> {
        let mut v = self.minted_orgs.borrow().clone();
        v.sort();
        v
    }

    /// SDK calls that select an org (`new BusinessHoursOperations(org)`,
    /// `HeaderMap.add(Header.X_CRM_ORG, org)`) use the token the SDK holds:
    /// that of the last SDK initialisation or switch before them in their
    /// file, else of every one in the repository.
    pub(super) fn sdk_org_bindings(&self, done: &[Binding]) -> Vec<Binding> {
        let inits: Vec<&Binding> = done
            .iter()
            .filter(|b| matches!(b.kind, BindingKind::SdkInit | BindingKind::SdkSwitch) && !b.tokens.is_empty())
            .collect();
        let mut out = Vec::new();
        for (at, orgs) in self.sdk_org_sites.borrow().iter() {
            let before = inits
                .iter()
                .filter(|b| b.at.file == at.file && b.at.span.start < at.span.start)
                .max_by_key(|b| b.at.span.start);
            let from: Vec<&Binding> = match before {
                Some(b) => vec![*b],
                None => inits.clone(),
            };
            if from.is_empty() {
                continue;
            }
            let mut ing = Ingredients {
                orgs: orgs.clone(),
                ..Default::default()
            };
            for b in &from {
                ing.tokens.extend(b.tokens.iter().cloned());
            }
            out.push(make_binding(
                *at,
                BindingKind::SdkCall,
                &ing,
                from.iter().map(|b| b.at).collect(),
            ));
        }
        out
    }
}

fn val_at(kind: VKind, like: &Val, at: Loc) -> Val {
    Val {
        kind,
        at,
        choice: like.choice.clone(),
        via_param: like.via_param,
    }
}
