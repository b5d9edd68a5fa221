//! Which class member a bare name means, for languages whose methods see
//! their class's fields and methods without `this.` (Java, C#): the
//! enclosing classes' declared members and the enclosing functions' locals.

use std::collections::HashSet;

use crate::facts::{Expr, ExprKind, Span};

/// The members a class declares, to tell a field read from a local one.
pub(crate) struct ClassNames {
    pub name: String,
    /// The class has a base class or interfaces (members may be inherited).
    pub inherits: bool,
    pub fields: HashSet<String>,
    pub methods: HashSet<String>,
}

#[derive(Default)]
pub(crate) struct Members {
    /// Enclosing classes, innermost last.
    pub classes: Vec<ClassNames>,
    /// Locals and parameters of the enclosing functions, innermost last.
    pub locals: Vec<HashSet<String>>,
}

impl Members {
    pub fn declare_local(&mut self, name: &str) {
        if let Some(l) = self.locals.last_mut() {
            l.insert(name.to_string());
        }
    }

    pub fn is_local(&self, name: &str) -> bool {
        self.locals.last().is_some_and(|l| l.contains(name))
    }

    /// `x` as written in a method: a local, a member of an enclosing class
    /// (`this.x`, or `Outer.x` for an outer class), or a free name. A name
    /// declared nowhere in a class that inherits is a member of a base
    /// class, unless it is `imported` or (read as a value) `looks_like_type`.
    pub fn name_ref(&self, name: &str, span: Span, method: bool, imported: bool, looks_like_type: bool) -> Expr {
        if !self.is_local(name) || method {
            for (i, c) in self.classes.iter().enumerate().rev() {
                let has = if method {
                    c.methods.contains(name)
                } else {
                    c.fields.contains(name)
                };
                if !has {
                    continue;
                }
                let obj = if i + 1 == self.classes.len() {
                    Expr::new(ExprKind::This, span)
                } else {
                    Expr::new(ExprKind::Name(c.name.clone()), span)
                };
                return Expr::new(ExprKind::Member(Box::new(obj), name.to_string()), span);
            }
        }
        let inherited = self.classes.last().is_some_and(|c| c.inherits)
            && (method || !self.is_local(name))
            && !imported
            && (method || !looks_like_type);
        if inherited {
            let this = Expr::new(ExprKind::This, span);
            return Expr::new(ExprKind::Member(Box::new(this), name.to_string()), span);
        }
        Expr::new(ExprKind::Name(name.to_string()), span)
    }
}
