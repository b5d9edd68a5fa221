//! Pass "resolve imports": the file an import or a module path names, and
//! the value of a module's member.
//!
//! Reads: the import facts and the repository's file paths. Writes: the
//! module-resolution cache.

use super::names::at_use;
use super::*;

impl<'r> Linker<'r> {
    /// The member `m` of module `fid`, read at `span` of `file`.
    pub(super) fn module_member(&self, file: FileId, fid: FileId, m: &str, span: Span) -> Vec<Val> {
        at_use(file, fid, span, self.module_member_in(file, fid, m, span))
    }

    fn module_member_in(&self, file: FileId, fid: FileId, m: &str, span: Span) -> Vec<Val> {
        let facts = self.facts(fid);
        // CommonJS: exports.X / module.exports.X / module.exports = {X}.
        for k in [format!("exports.{m}"), format!("module.exports.{m}")] {
            if let Some(vs) = self.assigned(Cx::module(fid), &k) {
                return vs;
            }
        }
        if let Some(vs) = self.assigned(Cx::module(fid), "module.exports") {
            let mut out = Vec::new();
            for v in vs {
                push_alts(&mut out, self.member(file, &v, m, span));
            }
            if out.iter().any(|v| !matches!(v.kind, VKind::Other)) {
                return out;
            }
        }
        // A file that returns a value (a PHP config file returning an array):
        // its members.
        if let Some(rets) = Some(self.index[fid].returns_of.get(0)).filter(|r| !r.is_empty()) {
            let mut out = Vec::new();
            for &i in rets {
                for v in self.eval(fid, 0, &facts.returns[i].value, None) {
                    push_alts(&mut out, self.member(file, &v, m, span));
                }
            }
            if out.iter().any(|v| !matches!(v.kind, VKind::Other)) {
                return out;
            }
        }
        if self.index[fid].targets(&self.names, 0, m).is_some()
            || facts.imports.iter().any(|i| i.scope == 0 && i.local == m)
        {
            return self.resolve_name(Cx::module(fid), m, span);
        }
        // A Go package is its directory: `zoho.BaseURL` may be in any file of it.
        if let Some(vs) = self.sibling_name(fid, m, span) {
            return vs;
        }
        // A submodule: `from pkg import mod`.
        vec![val(
            VKind::Sym(self.intern(&format!("{}::{m}", self.files[fid].path)), SymKind::Symbol),
            file,
            span,
        )]
    }

    pub(super) fn resolve_import(&self, file: FileId, imp: &Import, span: Span) -> Vec<Val> {
        if self.files[file].lang == Some(Lang::Java) {
            if let Some(vs) = self.resolve_java_import(file, imp, span) {
                return vs;
            }
        }
        let target = self.resolve_module(file, &imp.module);
        match (target, &imp.name) {
            (Some(fid), None) => vec![val(VKind::Module(fid), file, span)],
            (Some(fid), Some(n)) => {
                if let Some(sub) = self.resolve_module(file, &format!("{}.{n}", imp.module)) {
                    if matches!(self.files[file].lang, Some(Lang::Python | Lang::Rust)) {
                        return vec![val(VKind::Module(sub), file, span)];
                    }
                }
                if n == "default" {
                    for k in ["module.exports", "default"] {
                        if let Some(vs) = self.assigned(Cx::module(fid), k) {
                            return vs;
                        }
                    }
                }
                self.module_member(file, fid, n, span)
            }
            (None, name) => {
                let id = match name {
                    Some(n) => format!("import:{}.{n}", imp.module),
                    None => format!("import:{}", imp.module),
                };
                vec![val(VKind::Sym(id.into(), SymKind::Symbol), file, span)]
            }
        }
    }

    /// `import a.b.C;` names the class C of `a/b/C.java`; `import static
    /// a.b.C.X;` its member X.
    pub(super) fn resolve_java_import(&self, file: FileId, imp: &Import, span: Span) -> Option<Vec<Val>> {
        let n = imp.name.as_deref()?;
        if let Some(fid) = self.resolve_module(file, &format!("{}.{n}", imp.module)) {
            return Some(self.resolve_name(Cx::module(fid), n, span));
        }
        let fid = self.resolve_module(file, &imp.module)?;
        let class = imp.module.rsplit('.').next().unwrap_or(&imp.module);
        let mut out = Vec::new();
        for v in self.resolve_name(Cx::module(fid), class, span) {
            push_alts(&mut out, self.member(file, &v, n, span));
        }
        Some(out)
    }

    /// Finds the repository file an import names.
    pub fn resolve_module(&self, from: FileId, module: &str) -> Option<FileId> {
        let from_path: &'r str = &self.files[from].path;
        let dir = from_path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        let lang = self.files[from].lang?;
        let key = (dir, lang, module.to_string());
        if let Some(r) = self.module_cache.borrow().get(&key) {
            return *r;
        }
        let r = self.resolve_module_uncached(dir, lang, module);
        self.module_cache.borrow_mut().insert(key, r);
        r
    }

    pub(super) fn resolve_module_uncached(&self, dir: &str, lang: Lang, module: &str) -> Option<FileId> {
        candidate_paths(lang, dir, module)
            .iter()
            .find_map(|p| self.by_path.get(p.as_str()).copied())
            .or_else(|| {
                if lang == Lang::Php && !module.starts_with('.') {
                    return self.nearest_ending_with(dir, module);
                }
                // `github.com/acme/app/internal/zoho`: the package is the
                // repository's directory the import path ends with (the
                // longest such tail), represented by its first file.
                if lang == Lang::Go {
                    let segs: Vec<&str> = module.split('/').collect();
                    return (0..segs.len()).find_map(|i| {
                        let tail = segs[i..].join("/");
                        let slash_tail = format!("/{tail}");
                        // The package directory nearest the importer (a
                        // monorepo's services may share a layout).
                        let pkg = self
                            .by_dir
                            .keys()
                            .filter(|d| **d == tail || d.ends_with(&slash_tail))
                            .max_by_key(|d| (classes::common_dirs(dir, d), std::cmp::Reverse(**d)))?;
                        self.by_dir[pkg]
                            .iter()
                            .copied()
                            .filter(|&f| {
                                self.files[f].lang == Some(Lang::Go) && !self.files[f].path.ends_with("_test.go")
                            })
                            .min_by(|&a, &b| self.files[a].path.cmp(&self.files[b].path))
                    });
                }
                // Absolute Python module or Java class: the file whose path
                // ends with it, nearest the importer.
                if !matches!(lang, Lang::Python | Lang::Java) || module.starts_with('.') {
                    return None;
                }
                let rel = module.replace('.', "/");
                let ends = if lang == Lang::Java {
                    vec![format!("{rel}.java")]
                } else {
                    vec![format!("{rel}.py"), format!("{rel}/__init__.py")]
                };
                ends.iter()
                    .filter_map(|e| self.nearest_ending_with(dir, e))
                    .min_by_key(|&i| self.farness(dir, i))
            })
    }

    /// The file whose path is `tail` or ends with `/tail`, nearest the
    /// directory `dir` (most directories in common; then the shortest
    /// path): a monorepo's services may each hold a module of that name.
    fn nearest_ending_with(&self, dir: &str, tail: &str) -> Option<FileId> {
        let name = tail.rsplit_once('/').map_or(tail, |(_, n)| n);
        self.by_file_name
            .get(name)?
            .iter()
            .copied()
            .filter(|&i| {
                let p = self.files[i].path.as_str();
                p.strip_suffix(tail)
                    .is_some_and(|head| head.is_empty() || head.ends_with('/'))
            })
            .min_by_key(|&i| self.farness(dir, i))
    }

    /// Orders files from the nearest to `dir` (most directories in
    /// common), then the shortest path.
    fn farness(&self, dir: &str, file: FileId) -> (std::cmp::Reverse<usize>, usize, FileId) {
        let p: &str = &self.files[file].path;
        let fdir = p.rsplit_once('/').map_or("", |(d, _)| d);
        (std::cmp::Reverse(classes::common_dirs(dir, fdir)), p.len(), file)
    }
}
