//! Which class member a bare name means, for languages whose methods see
//! their class's fields and methods without `this.` (Java, C#): the
//! enclosing classes' declared members and the enclosing functions' locals;
//! and the class and lambda lowering those languages share
//! ([`MemberLowering`]).

use crate::source::Field;
use std::collections::HashSet;
use std::marker::PhantomData;

use tree_sitter::Node;

use super::frame::{self, Frame, Lowering};
use crate::facts::{Expr, ExprKind, FileFacts, ScopeId, ScopeKind, Span};
use crate::source::named_children;

/// The lowerer of such a language: the frame and the members in view. `G`
/// names the grammar; each language implements [`Lowering`] and
/// [`MemberLowering`] for its own `MemberLowerer<'a, G>`.
pub(crate) struct MemberLowerer<'a, G> {
    pub f: Frame<'a>,
    pub members: Members,
    grammar: PhantomData<G>,
}

/// Lowers `text` as a block of statements with grammar `G`'s lowerer.
pub(crate) fn lower<'a, G>(language: tree_sitter::Language, text: &'a str) -> FileFacts
where
    MemberLowerer<'a, G>: Lowering<'a>,
{
    frame::lower(language, text, |f| MemberLowerer {
        f,
        members: Members::default(),
        grammar: PhantomData,
    })
}

/// The members in view of a lowerer (see [`MemberLowering`]).
pub(crate) trait InView {
    fn members(&mut self) -> &mut Members;
    fn members_ref(&self) -> &Members;
}

impl<G> InView for MemberLowerer<'_, G> {
    fn members(&mut self) -> &mut Members {
        &mut self.members
    }

    fn members_ref(&self) -> &Members {
        &self.members
    }
}

/// The members a class declares, to tell a field read from a local one.
pub(crate) struct ClassNames {
    pub name: String,
    /// The class has a base class or interfaces (members may be inherited).
    pub inherits: bool,
    pub fields: HashSet<String>,
    pub methods: HashSet<String>,
    /// The configuration section whose keys fill the class's fields, when
    /// the framework binds it (Spring `@ConfigurationProperties(prefix =
    /// "zoho")`): its fields, constructor parameters and setters' parameters
    /// are reads of `zoho.<name>`.
    pub settings: Option<String>,
}

impl ClassNames {
    /// No members yet.
    pub fn new(name: &str) -> Self {
        ClassNames {
            name: name.to_string(),
            inherits: false,
            fields: HashSet::new(),
            methods: HashSet::new(),
            settings: None,
        }
    }
}

#[derive(Default)]
pub(crate) struct Members {
    /// Enclosing classes, innermost last.
    pub classes: Vec<ClassNames>,
    /// Locals and parameters of the enclosing functions, innermost last.
    pub locals: Vec<HashSet<String>>,
    /// Names (parameters, fields, locals) declared in the file with a type
    /// that wraps its value, read through a member (.NET `IOptions<T>`:
    /// `options.Value` is the `T`).
    pub wrappers: HashSet<String>,
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
                    Expr::new(ExprKind::Name(c.name.clone().into()), span)
                };
                return Expr::new(ExprKind::Member(Box::new(obj), name.into()), span);
            }
        }
        let inherited = self.classes.last().is_some_and(|c| c.inherits)
            && (method || !self.is_local(name))
            && !imported
            && (method || !looks_like_type);
        if inherited {
            let this = Expr::new(ExprKind::This, span);
            return Expr::new(ExprKind::Member(Box::new(this), name.into()), span);
        }
        Expr::new(ExprKind::Name(name.to_string().into()), span)
    }
}

/// The type declarations Java and C# name alike.
const TYPE_DECLARATIONS: &[&str] = &[
    "class_declaration",
    "interface_declaration",
    "enum_declaration",
    "record_declaration",
];

/// The lowering of a language whose methods see their class's members
/// without `this.` (Java, C#): classes and lambdas written once, the
/// language giving its bases, its member names, and its lambda parameters.
pub(crate) trait MemberLowering<'a>: Lowering<'a> + InView {
    /// The kinds of a type declaration's children that list its bases.
    const BASE_LISTS: &'static [&'static str];

    /// Adds the last segment of each type `list` names to `bases`.
    fn base_names(&self, list: Node, bases: &mut Vec<String>);

    /// The last segment of each base class and interface `node` names.
    fn bases(&self, node: Node) -> Vec<String> {
        let mut bases = Vec::new();
        for c in named_children(node) {
            if Self::BASE_LISTS.contains(&c.kind()) {
                self.base_names(c, &mut bases);
            }
        }
        bases
    }

    /// The fields and methods a type declaration declares.
    fn class_names(&self, name: &str, node: Node) -> ClassNames;

    /// The kinds of type declarations besides those both grammars name
    /// alike ([`TYPE_DECLARATIONS`]).
    const MORE_TYPE_DECLARATIONS: &'static [&'static str];

    /// A type declaration, lowered by [`MemberLowering::class`].
    fn is_type_declaration(kind: &str) -> bool {
        TYPE_DECLARATIONS.contains(&kind) || Self::MORE_TYPE_DECLARATIONS.contains(&kind)
    }

    /// The kind of an enum's member (a class body member that is no
    /// statement), lowered by [`MemberLowering::enum_member`].
    const ENUM_MEMBER: &'static str;

    /// Lowers an enum's member (`SANDBOX("https://…")`, `Sandbox = 2`).
    fn enum_member(&mut self, m: Node, scope: ScopeId);

    /// A free name that names a type (never an inherited field when read
    /// as a value).
    fn looks_like_type(name: &str) -> bool;

    /// The names a lambda's `parameters` field declares (a parameter list
    /// lowered into `fscope`'s parameters, or a bare name).
    fn lambda_params(&mut self, p: Node, fscope: ScopeId) -> Vec<String>;

    /// Kinds passed over among an expression's children (comments,
    /// attributes, modifiers).
    const TRIVIA: &'static [&'static str];

    fn is_trivia(kind: &str) -> bool {
        Self::TRIVIA.contains(&kind)
    }

    /// `x` as written in a method (see [`Members::name_ref`]).
    fn name_ref(&self, name: &str, span: Span, method: bool) -> Expr {
        let imported = self.frame().facts.imports.iter().any(|i| i.local == name);
        let looks_like_type = Self::looks_like_type(name);
        self.members_ref()
            .name_ref(name, span, method, imported, looks_like_type)
    }

    /// Adds the text of `m`'s `name` field (when it has one) to `names`.
    fn add_name(&self, m: Node, names: &mut HashSet<String>) {
        if let Some(n) = m.field("name") {
            names.insert(self.text(n).to_string());
        }
    }

    /// The kinds of field declarations with declarators (`int a = 1, b;`).
    const FIELD_DECLARATIONS: &'static [&'static str];

    /// The kinds of members that declare one field by their `name`
    /// (properties, enum members).
    const NAMED_FIELDS: &'static [&'static str];

    /// The declarators of a field declaration.
    fn declarators<'t>(&self, decl: Node<'t>) -> Vec<Node<'t>>;

    /// Adds the names of the fields and methods among a type body's
    /// `members` to `names`.
    fn add_member_names(&self, members: Vec<Node>, names: &mut ClassNames) {
        for m in members {
            let kind = m.kind();
            if Self::FIELD_DECLARATIONS.contains(&kind) {
                for d in self.declarators(m) {
                    self.add_name(d, &mut names.fields);
                }
            } else if Self::NAMED_FIELDS.contains(&kind) {
                self.add_name(m, &mut names.fields);
            } else if kind == "method_declaration" {
                self.add_name(m, &mut names.methods);
            }
        }
    }

    /// A declarator `name = value` (no assignment without a value): a
    /// field is `this.name`, anything else a local of the function.
    #[allow(clippy::too_many_arguments)]
    fn declare_var(
        &mut self,
        scope: ScopeId,
        is_field: bool,
        name: String,
        ns: Span,
        value: Option<Expr>,
        guard: Option<&Expr>,
        sp: Span,
    ) {
        let target = if is_field {
            super::frame::this_member(name, ns)
        } else {
            self.members().declare_local(&name);
            Expr::new(ExprKind::Name(name.into()), ns)
        };
        if let Some(value) = value {
            self.push_assign(scope, target, value, guard, sp);
        }
    }

    /// `{a, b}` / `[a, b]`: a list of its items; items of kind `nested` are
    /// lists too.
    fn list_of(&mut self, node: Node, scope: ScopeId, nested: &str) -> Expr {
        let sp = self.span(node);
        let kids: Vec<Node> = named_children(node)
            .into_iter()
            .filter(|c| !Self::is_trivia(c.kind()))
            .collect();
        let items = kids
            .into_iter()
            .map(|c| {
                if c.kind() == nested {
                    self.list_of(c, scope, nested)
                } else {
                    self.expr(c, scope, false)
                }
            })
            .collect();
        Expr::new(ExprKind::List(items), sp)
    }

    /// `(x)`, `(T) x`, `await x`: the value of the `value` field, else of
    /// the last child that is no trivia.
    fn wrapped(&mut self, node: Node, scope: ScopeId, receiver: bool) -> Expr {
        let inner = node
            .field("value")
            .or_else(|| named_children(node).into_iter().rfind(|c| !Self::is_trivia(c.kind())));
        match inner {
            Some(i) => self.expr(i, scope, receiver),
            None => Expr::unknown(self.span(node)),
        }
    }

    /// An expression not modelled: its children lowered for their calls.
    fn unknown_with_children(&mut self, node: Node, scope: ScopeId) -> ExprKind {
        for c in named_children(node) {
            if !Self::is_trivia(c.kind()) {
                self.expr(c, scope, false);
            }
        }
        ExprKind::Unknown
    }

    /// `catch (E e) { … }`: the variable (a child of kind `param`) is a
    /// local; the rest is statements.
    fn catch_clause(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>, param: &str) {
        for c in named_children(node) {
            if c.kind() == param {
                if let Some(n) = c.field("name") {
                    let name = self.text(n).to_string();
                    self.members().declare_local(&name);
                }
            } else {
                self.stmt(c, scope, guard);
            }
        }
    }

    /// A type declaration: its scope (with its bases), its name bound in
    /// `parent`, its members lowered with its member names in view.
    fn class(&mut self, node: Node, parent: ScopeId) -> ScopeId {
        let name = self.field_text(node, "name");
        let bases = self.bases(node);
        let scope = self.declare_class(node, name.clone(), parent, bases);
        let mut names = self.class_names(&name, node);
        names.inherits = !self.frame().facts.scopes[scope].bases.is_empty();
        self.members().classes.push(names);
        // Initialisers see members, not the locals of an enclosing method.
        self.members().locals.push(HashSet::new());
        self.primary_constructor(node, scope);
        if let Some(body) = node.field("body") {
            for m in named_children(body) {
                if m.kind() == Self::ENUM_MEMBER {
                    self.enum_member(m, scope);
                } else {
                    self.stmt(m, scope, None);
                }
            }
        }
        self.members().locals.pop();
        self.members().classes.pop();
        scope
    }

    /// A record's components or a C# primary constructor (`record
    /// Settings(String baseUrl, String token)`): a constructor that sets
    /// one field per parameter, and for a Java record, its accessor
    /// methods (`s.baseUrl()`).
    fn primary_constructor(&mut self, node: Node, class: ScopeId) {
        // Java: the record's `parameters` field; C#: a `parameter_list` child.
        let components = node.field("parameters");
        let params = components.or_else(|| named_children(node).into_iter().find(|c| c.kind() == "parameter_list"));
        let Some(params) = params else { return };
        let sp = self.span(params);
        let ctor = self
            .frame_mut()
            .facts
            .add_scope(ScopeKind::Function, "constructor".into(), class, sp);
        self.members().locals.push(HashSet::new());
        self.params(params, ctor);
        self.members().locals.pop();
        let mut names = self.frame().facts.scopes[ctor].params.clone();
        // A component the framework fills (`@Value`, a `@ConfigurationProperties`
        // record) has no parameter name, but is still a field set from the
        // local of that name.
        let declared: Vec<String> = named_children(params)
            .into_iter()
            .filter_map(|p| p.field("name"))
            .map(|n| self.text(n).to_string())
            .collect();
        if declared.len() == names.len() {
            for (n, d) in names.iter_mut().zip(declared) {
                if n.is_empty() {
                    *n = d;
                }
            }
        }
        let accessors = node.kind() == "record_declaration" && components.is_some();
        for name in names.into_iter().filter(|n| !n.is_empty()) {
            let field = Expr::new(
                ExprKind::Member(Box::new(Expr::new(ExprKind::This, sp)), name.as_str().into()),
                sp,
            );
            self.push_assign(
                ctor,
                field.clone(),
                Expr::new(ExprKind::Name(name.clone().into()), sp),
                None,
                sp,
            );
            if accessors {
                let get = self
                    .frame_mut()
                    .facts
                    .add_scope(ScopeKind::Function, name.clone(), class, sp);
                self.push_return(get, field, None);
                self.bind_scope(class, name, get, sp);
            }
        }
    }

    /// The class an inline fully qualified name writes (`com.acme.crm.Hosts`,
    /// `Acme.Crm.Hosts`: three segments or more, the last capitalised, the
    /// first no local, field or `this`): its simple name, which resolves
    /// like one written bare.
    fn qualified_class(&self, obj: Node) -> Option<String> {
        let text: String = self.text(obj).chars().filter(|c| !c.is_whitespace()).collect();
        let segs: Vec<&str> = text.split('.').collect();
        let plain = |s: &&str| !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_');
        if segs.len() < 3 || !segs.iter().all(plain) {
            return None;
        }
        let (last, first) = (segs[segs.len() - 1], segs[0]);
        let m = self.members_ref();
        let member = m
            .classes
            .last()
            .is_some_and(|c| c.fields.contains(first) || c.methods.contains(first));
        if !last.starts_with(|c: char| c.is_uppercase())
            || m.is_local(first)
            || member
            || matches!(first, "this" | "base" | "super")
        {
            return None;
        }
        Some(last.to_string())
    }

    /// A lambda: a function scope that sees the locals around it; an
    /// expression body is also the lambda's statement.
    fn lambda(&mut self, node: Node, scope: ScopeId) -> Expr {
        let sp = self.span(node);
        let fscope = self
            .frame_mut()
            .facts
            .add_scope(ScopeKind::Function, String::new(), scope, sp);
        let outer = self.members().locals.last().cloned().unwrap_or_default();
        self.members().locals.push(outer);
        let names = match node.field("parameters") {
            Some(p) => self.lambda_params(p, fscope),
            None => Vec::new(),
        };
        for n in &names {
            self.members().declare_local(n);
        }
        self.frame_mut().facts.scopes[fscope].params = names;
        // `h -> h.set(…)`: an expression body is also the lambda's statement.
        self.function_body(node, fscope, "block", true);
        self.members().locals.pop();
        Expr::new(ExprKind::Func(fscope), sp)
    }
}

#[cfg(test)]
mod tests {
    use crate::frontend::testing::{assert_has, assert_has_all, guarded_assigns};
    use crate::frontend::{csharp, java};

    /// One method written in Java and in C#: `if`, ternaries, switch
    /// statements and expressions and format calls lower alike.
    #[test]
    fn guards_ternaries_switches_and_formats_lower_alike() {
        let java = guarded_assigns(&java::lower(
            "class C { void f(boolean sandbox, String mode) {\n\
             Environment env = sandbox ? USDataCenter.SANDBOX : USDataCenter.PRODUCTION;\n\
             String host;\n\
             if (sandbox) { host = \"sandbox\"; } else host = \"www\";\n\
             String u = String.format(\"https://%s.zohoapis.%s/crm\", host, \"eu\");\n\
             String v = \"https://%s.zohoapis.com\".formatted(host);\n\
             String w = switch (mode) { case \"dev\" -> \"developer\"; default -> \"www\"; };\n\
             switch (mode) { case \"s\": host = \"sandbox\"; break; default: host = \"www\"; }\n\
             switch (mode) { case \"d\" -> host = \"developer\"; default -> { host = \"www\"; } }\n\
             } }\n",
        ));
        let csharp = guarded_assigns(&csharp::lower(
            "class C { void F(bool sandbox, string mode) {\n\
             var env = sandbox ? USDataCenter.SANDBOX : USDataCenter.PRODUCTION;\n\
             string host;\n\
             if (sandbox) { host = \"sandbox\"; } else host = \"www\";\n\
             var u = string.Format(\"https://{0}.zohoapis.{1}/crm\", host, \"eu\");\n\
             var v = $@\"https://{host}.zohoapis.com\";\n\
             var w = mode switch { \"dev\" => \"developer\", _ => \"www\" };\n\
             switch (mode) { case \"s\": host = \"sandbox\"; break; }\n\
             } }\n",
        ));
        for a in [&java, &csharp] {
            assert_has_all(
                a,
                &[
                    "env@2 = alt(sandbox ? USDataCenter.SANDBOX | USDataCenter.PRODUCTION)",
                    "host@2 = \"sandbox\" if sandbox",
                    "host@2 = \"www\" if sandbox",
                    "u@2 = concat(\"https://\", host, \".zohoapis.\", \"eu\", \"/crm\")",
                    "v@2 = concat(\"https://\", host, \".zohoapis.com\")",
                    "w@2 = alt(mode ? \"developer\" | \"www\")",
                    "host@2 = \"sandbox\" if test(mode, \"s\")",
                ],
            );
        }
        assert_has(&java, "host@2 = \"developer\" if test(mode, \"d\")");
    }
}
