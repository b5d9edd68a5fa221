//! Profiles (config sections, `.env.*` files, CI jobs, compose services,
//! k8s containers, Postman environments): their effective settings through
//! inheritance, the values of those settings, one binding per profile that
//! sets a token and an endpoint, and the expansion of env-var reads in code
//! into the values the repository's profiles give them.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap as HashMap;
use std::rc::Rc;

use super::bind::Ingredients;
use super::syntax::Slot;
use super::{val, Linker, Piece, SymKind, VKind, Val, MAX_ALTS};
use crate::catalog::catalog;
use crate::facts::{Expr, ExprKind, FileId, ParentRef, Profile, Setting};
use crate::model::{Binding, BindingKind, Loc};

/// Inheritance deeper than this is cut (a cycle or a pathological chain).
const MAX_INHERIT: usize = 16;
/// `${VAR}` references followed inside one value.
const MAX_REF_DEPTH: usize = 8;

/// A profile: (file, index in the file's profiles).
pub(super) type ProfileId = (FileId, usize);

/// One effective setting: where it is defined, and the line that brings it
/// into the profile (a merge key, `extends:`, `env_file:`), if any.
#[derive(Debug, Clone, Copy)]
pub(super) struct Eff {
    pub file: FileId,
    pub profile: usize,
    pub setting: usize,
    pub brought: Option<Loc>,
    /// Defined by the profile itself (not inherited).
    pub own: bool,
}

#[derive(Default)]
pub(super) struct ProfileTable {
    /// Deployment profiles (templates left out), in file order.
    pub concrete: Vec<ProfileId>,
    /// Effective settings of every concrete profile, by key.
    pub effective: HashMap<ProfileId, Rc<BTreeMap<String, Eff>>>,
    /// Env var name → the concrete profiles that set it.
    pub env: HashMap<String, Vec<ProfileId>>,
    /// Config-key read name (`config:zoho.apidomain`) → the concrete
    /// profiles that set the key, and the key as they write it.
    pub config: HashMap<String, Vec<(ProfileId, String)>>,
}

impl ProfileTable {
    pub fn build(linker: &Linker) -> Self {
        let mut t = ProfileTable::default();
        let mut memo: HashMap<ProfileId, Rc<BTreeMap<String, Eff>>> = HashMap::default();
        for (fid, f) in linker.files.iter().enumerate() {
            for (i, p) in f.facts.profiles.iter().enumerate() {
                if p.template {
                    continue;
                }
                let eff = effective(linker, (fid, i), 0, &mut memo);
                for (k, e) in eff.iter() {
                    if linker.setting(e).env {
                        t.env.entry(k.clone()).or_default().push((fid, i));
                    } else {
                        t.config
                            .entry(crate::config::config_read_name(k))
                            .or_default()
                            .push(((fid, i), k.clone()));
                    }
                }
                t.concrete.push((fid, i));
                t.effective.insert((fid, i), eff);
            }
        }
        t
    }
}

fn effective(
    linker: &Linker,
    id: ProfileId,
    depth: usize,
    memo: &mut HashMap<ProfileId, Rc<BTreeMap<String, Eff>>>,
) -> Rc<BTreeMap<String, Eff>> {
    if let Some(m) = memo.get(&id) {
        return m.clone();
    }
    let mut out: BTreeMap<String, Eff> = BTreeMap::new();
    if depth > MAX_INHERIT {
        return Rc::new(out);
    }
    let (fid, idx) = id;
    let p = &linker.files[fid].facts.profiles[idx];
    for parent in &p.parents {
        let brought = parent.span.map(|span| Loc { file: fid, span });
        for pid in linker.resolve_parent(fid, idx, &parent.target) {
            for (k, e) in effective(linker, pid, depth + 1, memo).iter() {
                // The same definition through two paths (a job inheriting the
                // global variables directly and through `extends:`) keeps the
                // first path.
                if out
                    .get(k)
                    .is_some_and(|o| (o.file, o.profile, o.setting) == (e.file, e.profile, e.setting))
                {
                    continue;
                }
                let mut e = *e;
                e.own = false;
                if brought.is_some() {
                    e.brought = brought;
                }
                out.insert(k.clone(), e);
            }
        }
    }
    for (si, s) in p.settings.iter().enumerate() {
        out.insert(
            s.key.clone(),
            Eff {
                file: fid,
                profile: idx,
                setting: si,
                brought: s.via.map(|span| Loc { file: fid, span }),
                own: s.via.is_none(),
            },
        );
    }
    let r = Rc::new(out);
    memo.insert(id, r.clone());
    r
}

impl<'r> Linker<'r> {
    pub(super) fn setting(&self, e: &Eff) -> &'r Setting {
        &self.files[e.file].facts.profiles[e.profile].settings[e.setting]
    }

    fn profile_def(&self, id: ProfileId) -> &'r Profile {
        &self.files[id.0].facts.profiles[id.1]
    }

    /// A readable, unique name: the path, plus `#name` for sections.
    pub(super) fn profile_name(&self, id: ProfileId) -> String {
        let path = &self.files[id.0].path;
        let p = self.profile_def(id);
        if path.rsplit('/').next() == Some(p.name.as_str()) {
            path.clone()
        } else {
            format!("{path}#{}", p.name)
        }
    }

    fn resolve_parent(&self, fid: FileId, idx: usize, target: &ParentRef) -> Vec<ProfileId> {
        let profiles = &self.files[fid].facts.profiles;
        match target {
            ParentRef::Local(i) if *i != idx && *i < profiles.len() => vec![(fid, *i)],
            ParentRef::Local(_) => Vec::new(),
            ParentRef::Named(n) => profiles
                .iter()
                .position(|p| &p.name == n)
                .filter(|&i| i != idx)
                .map(|i| vec![(fid, i)])
                .unwrap_or_default(),
            ParentRef::File(path) => match self.by_path.get(path.as_str()) {
                Some(&f) if f != fid => (0..self.files[f].facts.profiles.len()).map(|i| (f, i)).collect(),
                _ => Vec::new(),
            },
        }
    }

    /// The values of setting `e` inside profile `pid` (references resolved
    /// through the profile's own settings first).
    fn setting_vals(&self, pid: ProfileId, e: &Eff, depth: usize) -> Vec<Val> {
        let s = self.setting(e);
        self.cfg_eval(pid, e.file, &s.value, depth)
    }

    fn cfg_eval(&self, pid: ProfileId, file: FileId, e: &Expr, depth: usize) -> Vec<Val> {
        let one = |k: VKind| vec![val(k, file, e.span)];
        match &e.kind {
            ExprKind::Str(s) => one(VKind::Str(vec![Piece::Lit(
                s.clone().into(),
                Loc { file, span: e.span },
            )])),
            ExprKind::Secret(s) => one(VKind::Sym(s.as_ref().into(), SymKind::Secret)),
            ExprKind::Env(n) => {
                let eff = self.profiles.effective.get(&pid).and_then(|m| m.get(&**n)).copied();
                match eff {
                    Some(inner) if depth < MAX_REF_DEPTH && !self.refers_to_itself(&inner, n) => {
                        self.setting_vals(pid, &inner, depth + 1)
                    }
                    _ => one(VKind::Env(n.clone().into())),
                }
            }
            ExprKind::Alt { alts, .. } => {
                let mut out = Vec::new();
                for a in alts {
                    out.extend(self.cfg_eval(pid, file, a, depth + 1));
                }
                out.truncate(MAX_ALTS);
                out
            }
            ExprKind::Concat(parts) => {
                // Each part's alternatives, combined (bounded).
                let mut acc: Vec<Vec<Piece>> = vec![Vec::new()];
                for p in parts {
                    let vs = self.cfg_eval(pid, file, p, depth + 1);
                    let mut next = Vec::new();
                    for prefix in &acc {
                        for v in &vs {
                            let mut pieces = prefix.clone();
                            match &v.kind {
                                VKind::Str(ps) => pieces.extend(ps.iter().cloned()),
                                _ => pieces.push(Piece::Hole(Box::new(v.clone()))),
                            }
                            next.push(pieces);
                            if next.len() >= MAX_ALTS {
                                break;
                            }
                        }
                    }
                    acc = next;
                }
                acc.into_iter()
                    .map(|pieces| val(VKind::Str(pieces), file, e.span))
                    .collect()
            }
            _ => one(VKind::Other),
        }
    }

    /// `TOKEN: ${TOKEN}` passes the variable through: not a reference to itself.
    fn refers_to_itself(&self, e: &Eff, name: &str) -> bool {
        let s = self.setting(e);
        s.key == name && matches!(&s.value.kind, ExprKind::Env(n) if &**n == name)
    }

    /// A code read of env var `name`: the values the repository's profiles
    /// give it, each selected by its profile; `None` when no profile sets it.
    pub(super) fn env_alternatives(&self, name: &str, file: FileId, span: crate::facts::Span) -> Option<Vec<Val>> {
        let values = self.env_values(name)?;
        Some(
            values
                .iter()
                .map(|v| match v {
                    Some(v) => v.clone(),
                    None => val(VKind::Env(name.to_string()), file, span),
                })
                .collect(),
        )
    }

    /// The profiles' values of env var (or config key) `name`, each selected
    /// by its profile; `None` for a value the deployment supplies. Computed
    /// once per name: every read of it in code shares them.
    fn env_values(&self, name: &str) -> Option<Rc<Vec<Option<Val>>>> {
        if let Some(cached) = self.env_cache.borrow().get(name) {
            return cached.clone();
        }
        let computed = self.env_values_uncached(name).map(Rc::new);
        self.env_cache.borrow_mut().insert(name.to_string(), computed.clone());
        computed
    }

    fn env_values_uncached(&self, name: &str) -> Option<Vec<Option<Val>>> {
        let setters: Vec<(ProfileId, &str)> = if name.starts_with("config:") {
            self.profiles
                .config
                .get(name)?
                .iter()
                .map(|(p, k)| (*p, k.as_str()))
                .collect()
        } else {
            self.profiles.env.get(name)?.iter().map(|p| (*p, name)).collect()
        };
        let c = catalog();
        let mut out = Vec::new();
        for (pid, key) in setters {
            let Some(eff) = self.profiles.effective.get(&pid).and_then(|m| m.get(key)) else {
                continue;
            };
            let sel: Rc<str> = format!("profile:{}", self.profile_name(pid)).into();
            for mut v in self.setting_vals(pid, eff, 0) {
                // A value that names no host and no token (empty, a
                // placeholder, a local URL) says nothing the env var's name
                // does not: the deployment supplies it, like an unset one.
                let informative = match &v.kind {
                    VKind::Str(pieces) => {
                        let text = super::probe_text(pieces);
                        !c.find_hosts(&text).is_empty()
                            || c.env_template_dc(&text).is_some()
                            || c.is_token_literal(text.trim())
                            || pieces.iter().any(|p| matches!(p, Piece::Hole(_)))
                    }
                    VKind::Other => false,
                    _ => true,
                };
                if !informative {
                    out.push(None);
                    continue;
                }
                v.set_sel(Some(sel.clone()));
                self.env_origin.borrow_mut().insert(v.at, key.to_string());
                out.push(Some(v));
            }
        }
        out.truncate(MAX_ALTS);
        Some(out)
    }

    /// One binding per deployment profile that sets a token and an endpoint.
    pub(super) fn profile_bindings(&self) -> Vec<Binding> {
        let c = catalog();
        let mut out = Vec::new();
        for &pid in &self.profiles.concrete {
            let Some(eff) = self.profiles.effective.get(&pid) else {
                continue;
            };
            let mut ing = Ingredients::default();
            // Where each token came from: (setting, its first token index).
            let mut token_settings: Vec<Eff> = Vec::new();
            for (key, e) in eff.iter() {
                let name = crate::config::key_name(key);
                let slot = if c.is_token_slot_name(&name) || self.token_env.borrow().contains(key.as_str()) {
                    Slot::Token
                } else {
                    Slot::Any
                };
                let before = ing.tokens.len();
                for v in self.setting_vals(pid, e, 0) {
                    self.scan(&v, slot, &mut ing, 0);
                    // A token-shaped literal under any key is a token.
                    if slot == Slot::Any {
                        if let VKind::Str(p) = &v.kind {
                            if p.len() == 1 && matches!(&p[0], Piece::Lit(s, _) if c.is_token_literal(s.trim())) {
                                self.token_from(&v, &mut ing);
                            }
                        }
                    }
                }
                if ing.tokens.len() > before {
                    token_settings.push(*e);
                }
            }
            if ing.tokens.is_empty() || ing.endpoints.is_empty() {
                continue;
            }
            let profile = self.profile_def(pid);
            let header = Loc {
                file: pid.0,
                span: profile.span,
            };
            // The place that breaks: the token's line in this profile, or the
            // line that brings it in.
            let first = token_settings
                .iter()
                .min_by_key(|e| (!e.own, e.brought.is_none(), self.setting(e).span.start))
                .copied();
            let at = match first {
                Some(e) if e.own && e.file == pid.0 => Loc {
                    file: e.file,
                    span: self.setting(&e).span,
                },
                Some(Eff { brought: Some(b), .. }) if b.file == pid.0 => b,
                _ => header,
            };
            let mut b = super::bindings::make_binding(at, BindingKind::Profile, &ing, Vec::new());
            b.profile = Some(self.profile_name(pid));
            out.push(b);
        }
        out
    }
}
