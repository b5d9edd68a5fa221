//! Pass "resolve classes": a class's fields and members through its
//! family (ancestors and descendants, across files of one package), and the
//! instance a value was created as.
//!
//! Reads: the class scopes of the facts. Writes: the class-family caches.

use super::*;

impl<'r> Linker<'r> {
    pub(super) fn enclosing_class(&self, file: FileId, scope: ScopeId) -> Option<ScopeId> {
        self.index[file].class_of[scope]
    }

    /// `self.m` / `this.m`: a method of the enclosing class, or every value
    /// its methods assign to the field (their parameters stay opaque).
    pub(super) fn class_field(&self, file: FileId, scope: ScopeId, m: &str, span: Span) -> Vec<Val> {
        match self.enclosing_class(file, scope) {
            Some(class) => self.class_member(file, class, m, span),
            None => vec![val(VKind::Other, file, span)],
        }
    }

    /// Member `m` of a class: a method (of the class or a base), or the
    /// values the class family assigns to the field.
    pub(super) fn class_member(&self, file: FileId, class: ScopeId, m: &str, span: Span) -> Vec<Val> {
        let family = self.class_family(file, class);
        let (ancestors, descendants) = (&family.0, &family.1);
        let parts = self.package_parts(file, class);
        // A method of the class (in any of its files) or of a base class.
        for &(f, c) in std::iter::once(&(file, class))
            .chain(parts.iter())
            .chain(ancestors.iter())
        {
            if let Some(fs) = self.index[f].method(&self.names, c, m) {
                return vec![val(VKind::Func(f, fs), file, span)];
            }
        }
        let key = (file, class, m.to_string());
        if let Some(v) = self.field_cache.borrow().get(&key) {
            return v.clone();
        }
        let sym = self.sym(file, class, m);
        // The field as this class, its bases and its subclasses set it: a
        // method may run on an instance of any of them, and the instance's
        // class is what selects among their values.
        let family: Vec<ScopeRef> = std::iter::once((file, class))
            .chain(parts.iter().copied())
            .chain(ancestors.iter().copied())
            .chain(descendants.iter().copied())
            .collect();
        let mut per_class = Vec::new();
        for &(f, c) in &family {
            let Some(idx) = self.index[f].fields(&self.names, c, m) else {
                continue;
            };
            per_class.push(((f, c), self.assigned_at(f, idx, None).unwrap_or_default()));
        }
        // Classes whose values differ in their text (not only in the
        // values of their holes) are what chooses among them: the class
        // is the selector even where a part inside is chosen by something
        // else (`f"https://sandbox.zohoapis.{dc}"` in a subclass beside
        // `f"https://www.zohoapis.{dc}"`: the class picks the environment,
        // `dc` only the data center).
        let templates: std::collections::BTreeSet<Vec<String>> = per_class
            .iter()
            .map(|(_, vs)| {
                vs.iter()
                    .filter_map(|v| match &v.kind {
                        VKind::Str(p) => Some(probe_text(p)),
                        _ => None,
                    })
                    .collect()
            })
            .collect();
        let class_decides = templates.len() > 1;
        let mut out = Vec::new();
        for ((f, c), mut vs) in per_class {
            if !descendants.is_empty() || !ancestors.is_empty() {
                let by_class: Rc<str> = format!("class:{}", self.sym(f, c, "")).trim_end_matches("::").into();
                for v in &mut vs {
                    if v.sel.is_none() || class_decides {
                        v.sel = Some(by_class.clone());
                        v.switch = Some(v.at);
                    }
                }
            }
            push_alts(&mut out, vs);
        }
        let out: Vec<Val> = if out.is_empty() {
            vec![val(VKind::Sym(sym, SymKind::Symbol), file, span)]
        } else {
            out.into_iter()
                .map(|mut v| {
                    if matches!(v.kind, VKind::Other) {
                        v.kind = VKind::Sym(sym.clone(), SymKind::Symbol);
                    }
                    v
                })
                .collect()
        };
        self.field_cache.borrow_mut().insert(key, out.clone());
        out
    }

    /// The same type declared by other files of its package (Go: a struct
    /// in one file, its methods and constructor in others).
    pub(super) fn package_parts(&self, file: FileId, class: ScopeId) -> Vec<ScopeRef> {
        let f = &self.files[file];
        if !f.lang.is_some_and(directory_package) {
            return Vec::new();
        }
        let dir = f.path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        let name = f.facts.scopes[class].name.as_str();
        self.classes_by_name
            .get(name)
            .map(Vec::as_slice)
            .unwrap_or(&[])
            .iter()
            .copied()
            .filter(|&(g, _)| {
                g != file
                    && self.files[g].lang == f.lang
                    && self.files[g].path.rsplit_once('/').map(|(d, _)| d).unwrap_or("") == dir
            })
            .collect()
    }

    /// Values read from an instance: what came from the constructor's
    /// parameters belongs to this instance (two instances built with different
    /// tokens stay apart).
    pub(super) fn for_instance(&self, inst: &Val, vs: Vec<Val>) -> Vec<Val> {
        let at = format!("@{}:{}", self.files[inst.at.file].path, inst.at.span.line);
        vs.into_iter().map(|v| rekey(v, &at, 0)).collect()
    }

    /// The classes a bare class name written in `from` means: the one class
    /// of that name, or, when several services of a monorepo each define
    /// one, those nearest to `from` (same file, then the longest shared
    /// directory path).
    pub(super) fn nearest_classes(&self, from: FileId, name: &str) -> Rc<Vec<ScopeRef>> {
        let all = self.classes_by_name.get(name).map(Vec::as_slice).unwrap_or(&[]);
        if all.len() <= 1 {
            return Rc::new(all.to_vec());
        }
        let key = (from, name.to_string());
        if let Some(v) = self.nearest_cache.borrow().get(&key) {
            return v.clone();
        }
        let here = &self.files[from].path;
        let nearness = |f: FileId| {
            if f == from {
                return usize::MAX;
            }
            let there = &self.files[f].path;
            let here_dirs = here.rsplit_once('/').map(|(d, _)| d).unwrap_or("").split('/');
            let there_dirs = there.rsplit_once('/').map(|(d, _)| d).unwrap_or("").split('/');
            here_dirs.zip(there_dirs).take_while(|(a, b)| a == b).count()
        };
        let near: Vec<usize> = all.iter().map(|&(f, _)| nearness(f)).collect();
        let best = near.iter().copied().max().unwrap_or(0);
        let v: Rc<Vec<ScopeRef>> = Rc::new(
            all.iter()
                .zip(&near)
                .filter(|(_, &n)| n == best)
                .map(|(&c, _)| c)
                .collect(),
        );
        self.nearest_cache.borrow_mut().insert(key, v.clone());
        v
    }

    /// The base classes (transitively) and the subclasses (transitively) of a
    /// class, found by name: a base name means its nearest classes, and a
    /// subclass belongs to the family only if this class is nearest to it.
    pub(super) fn class_family(&self, file: FileId, class: ScopeId) -> Rc<Family> {
        if let Some(f) = self.family_cache.borrow().get(&(file, class)) {
            return f.clone();
        }
        let f = Rc::new(self.class_family_uncached(file, class));
        self.family_cache.borrow_mut().insert((file, class), f.clone());
        f
    }

    pub(super) fn class_family_uncached(&self, file: FileId, class: ScopeId) -> Family {
        const MAX_FAMILY: usize = 16;
        let mut ancestors: Vec<ScopeRef> = Vec::new();
        let mut todo = vec![(file, class)];
        while let Some((f, c)) = todo.pop() {
            for base in &self.facts(f).scopes[c].bases {
                for &bc in self.nearest_classes(f, base).iter() {
                    if bc != (file, class) && !ancestors.contains(&bc) && ancestors.len() < MAX_FAMILY {
                        ancestors.push(bc);
                        todo.push(bc);
                    }
                }
            }
        }
        let mut descendants: Vec<ScopeRef> = Vec::new();
        let mut todo = vec![(file, class)];
        while let Some((f, c)) = todo.pop() {
            let name = self.facts(f).scopes[c].name.as_str();
            for &sub in self.subclasses.get(name).map(Vec::as_slice).unwrap_or(&[]) {
                if sub != (file, class)
                    && self.nearest_classes(sub.0, name).contains(&(f, c))
                    && !descendants.contains(&sub)
                    && !ancestors.contains(&sub)
                    && descendants.len() < MAX_FAMILY
                {
                    descendants.push(sub);
                    todo.push(sub);
                }
            }
        }
        (ancestors, descendants)
    }
}
