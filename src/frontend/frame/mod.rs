//! The tree-sitter front-end frame: what every grammar's lowering shares,
//! written once (difftastic's one walk, semgrep's one generic AST). A
//! language implements [`Lowering`]: how one statement and one expression of
//! its grammar lower ([`Lowering::stmt_inner`], [`Lowering::expr_inner`]),
//! its parameter list, and its tables — [`Lowering::OPERATORS`] (what each
//! binary and compound-assignment operator makes), [`Lowering::COMMENTS`],
//! [`Lowering::ENV_OBJECTS`]. Everything else is provided here: the parse
//! under the file's budget, node text and spans, the nesting guard around
//! every statement and expression, statement heads, assignments, returns,
//! call sites, env reads, imports, function and class declarations, `if`
//! and ternaries, member and index access by field names, interpolated and
//! adjacent strings, lists, and the lowering of nodes no grammar models.
//! [`shapes`] holds the expression builders, usable without a tree (the syn
//! front-end for Rust uses them too).

mod shapes;

use crate::source::Field;
use tree_sitter::Node;

use crate::facts::{Arg, Expr, ExprKind, FileFacts, Import, Return, ScopeId, ScopeKind, Span};
use crate::source::{parse, two_fields, unescape, LineIndex, Nesting};

/// A grammar's field name (looked up by id, [`Field`]).
type Fld = &'static str;
pub(crate) use shapes::*;

/// The two accessors of [`Lowering`] for a lowerer whose frame is its field
/// `f`.
macro_rules! frame_in_f {
    () => {
        fn frame(&self) -> &crate::frontend::frame::Frame<'a> {
            &self.f
        }

        fn frame_mut(&mut self) -> &mut crate::frontend::frame::Frame<'a> {
            &mut self.f
        }
    };
}
pub(crate) use frame_in_f;

/// One file being lowered: its text, line index, the facts built so far and
/// the nesting guard.
pub(crate) struct Frame<'a> {
    pub src: &'a [u8],
    pub lines: LineIndex<'a>,
    pub facts: FileFacts,
    pub depth: usize,
    pub nesting: Nesting,
}

impl<'a> Frame<'a> {
    fn new(text: &'a str, facts: FileFacts) -> Self {
        Frame {
            src: text.as_bytes(),
            lines: LineIndex::new(text),
            facts,
            depth: 0,
            nesting: Nesting::new(),
        }
    }

    /// Whether nesting is cut here: deeper statements are skipped, deeper
    /// expressions are `Unknown`.
    pub fn too_deep(&self) -> bool {
        self.nesting.too_deep(self.depth)
    }
}

/// Parses `text` with `language`, builds the language's lowerer around the
/// frame, lowers the file from its root ([`Lowering::lower_root`]) and
/// returns the facts (the empty facts of the module when the grammar cannot
/// parse).
pub(crate) fn lower<'a, L: Lowering<'a>>(
    language: tree_sitter::Language,
    text: &'a str,
    make: impl FnOnce(Frame<'a>) -> L,
) -> FileFacts {
    let (facts, tree) = parse(&language, text);
    let Some(tree) = tree else {
        return facts;
    };
    let mut l = make(Frame::new(text, facts));
    l.lower_root(tree.root_node());
    let frame = l.frame_mut();
    // The lines counted for lowering are the file's (not counted again).
    let mut facts = std::mem::take(&mut frame.facts);
    facts.lines = std::sync::Arc::new(std::mem::take(&mut frame.lines.lines));
    facts
}

/// One grammar's lowering. Required: the frame, and one statement and one
/// expression of the grammar; the rest is provided and the same everywhere.
pub(crate) trait Lowering<'a> {
    fn frame(&self) -> &Frame<'a>;
    fn frame_mut(&mut self) -> &mut Frame<'a>;

    /// Lowers the file from its root: by default, a block of statements.
    fn lower_root(&mut self, root: Node) {
        self.block(root, 0, None);
    }

    /// Lowers one statement (called under the nesting guard).
    fn stmt_inner(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>);

    /// Lowers one expression (called under the nesting guard). `receiver`:
    /// the expression is the object of a member access or call.
    fn expr_inner(&mut self, node: Node, scope: ScopeId, receiver: bool) -> Expr;

    /// The comment kinds the lowering passes over (only where the
    /// language says so: the default keeps every named node).
    const COMMENTS: &'static [&'static str] = &[];

    /// The names of the objects whose items are env vars (`ENV`, `$_ENV`).
    const ENV_OBJECTS: &'static [&'static str] = &[];

    fn is_comment(&self, kind: &str) -> bool {
        Self::COMMENTS.contains(&kind)
    }

    /// The named children of a node, comments left out.
    fn children<'t>(&self, node: Node<'t>) -> Vec<Node<'t>> {
        let mut c = node.walk();
        node.named_children(&mut c)
            .filter(|n| !self.is_comment(n.kind()))
            .collect()
    }

    /// The statements of a block: its named children, comments left out.
    fn statements<'t>(&self, node: Node<'t>) -> Vec<Node<'t>> {
        self.children(node)
    }

    /// Lowers a parameter list into the function scope's parameters (a
    /// grammar without declared parameters keeps the default: none).
    fn params(&mut self, _params: Node, _scope: ScopeId) {}

    /// The scope of a function declaration (its `parameters` field lowered).
    fn function_scope(&mut self, node: Node, name: &str, parent: ScopeId) -> ScopeId {
        let sp = self.span(node);
        let scope = self
            .frame_mut()
            .facts
            .add_scope(ScopeKind::Function, name.to_string(), parent, sp);
        if let Some(params) = node.field("parameters") {
            self.params(params, scope);
        }
        scope
    }

    /// Binds a declared function's name in the enclosing scope: `name =
    /// <function>` (a call of `name` then reaches the function's returns).
    fn bind_function(&mut self, node: Node, name: String, parent: ScopeId, scope: ScopeId) {
        let sp = self.span(node);
        let name_span = node.field("name").map(|n| self.span(n)).unwrap_or(sp);
        bind_function(&mut self.frame_mut().facts, parent, name, name_span, scope, sp);
    }

    /// What the grammar's binary operators make (none: every operator
    /// makes an unknown value).
    const OPERATORS: Operators = Operators::new(&[], &[], &[]);

    /// A binary operator node (`left`, `operator`, `right` fields), through
    /// [`Lowering::operators`].
    fn binary(&mut self, node: Node, scope: ScopeId) -> Expr {
        let sp = self.span(node);
        let Some((l, r)) = two_fields(node, "left", "right") else {
            return Expr::unknown(sp);
        };
        let op = node
            .field("operator")
            .map(|o| self.text(o))
            .unwrap_or("")
            .to_ascii_lowercase();
        let le = self.expr(l, scope, false);
        let re = self.expr(r, scope, false);
        Expr::new(Self::OPERATORS.apply(&op, le, re), sp)
    }

    /// The stored value of `target op value` ([`Operators::compound`]).
    fn compound(&self, op: &str, target: &Expr, value: Expr) -> Expr {
        Self::OPERATORS.compound(op, target, value)
    }

    /// `o[k]`: an item, or with an env object ([`Lowering::ENV_OBJECTS`])
    /// and a key naming an env var (a literal, a constant, a lookup in a
    /// constant table: [`shapes::env_read_by`]) a read of that env var.
    fn subscript(&mut self, o: Node, k: Node, scope: ScopeId, receiver: bool) -> ExprKind {
        let o = self.expr(o, scope, receiver);
        let k = self.expr(k, scope, false);
        let env = o.dotted().is_some_and(|d| Self::ENV_OBJECTS.contains(&d.as_str()));
        match env.then(|| self.env_read_by(&k, None, k.span)).flatten() {
            Some(read) => read.kind,
            None => ExprKind::Index(Box::new(o), Box::new(k)),
        }
    }

    /// Anything not modelled: its children are still lowered so that the
    /// calls inside it are seen (children named `…statement` as statements).
    fn other(&mut self, node: Node, scope: ScopeId) -> Expr {
        for c in self.children(node) {
            if c.kind().ends_with("statement") {
                self.stmt(c, scope, None);
            } else {
                self.expr(c, scope, false);
            }
        }
        Expr::unknown(self.span(node))
    }

    /// Anything not modelled as an expression: its children are lowered
    /// as expressions for the calls inside them; its value is unknown.
    fn unmodelled(&mut self, node: Node, scope: ScopeId) -> Expr {
        for c in self.children(node) {
            self.expr(c, scope, false);
        }
        Expr::unknown(self.span(node))
    }

    /// A function declaration with a `name` field: its scope (parameters
    /// lowered) and its name bound in `parent`. The body is the language's.
    fn declare_function(&mut self, node: Node, parent: ScopeId) -> ScopeId {
        let name = self.field_text(node, "name");
        let scope = self.function_scope(node, &name, parent);
        if !name.is_empty() {
            self.bind_function(node, name, parent, scope);
        }
        scope
    }

    /// `return v` (`value`, else `null`).
    fn return_stmt(&mut self, node: Node, value: Option<Node>, scope: ScopeId, guard: Option<&Expr>) {
        let value = match value {
            Some(v) => self.expr_top(v, scope, false),
            None => Expr::new(ExprKind::Null, self.span(node)),
        };
        self.push_return(scope, value, guard);
    }

    /// An import that binds `local` to `name` of `module` (the module
    /// itself without a name).
    fn push_import(&mut self, scope: ScopeId, local: String, module: String, name: Option<String>, span: Span) {
        self.frame_mut().facts.imports.push(Import {
            scope,
            local,
            module,
            name,
            span,
        });
    }

    /// `c ? a : b` with `condition`, `consequence` and `alternative` fields:
    /// an alternative chosen by `c`.
    fn ternary(&mut self, node: Node, scope: ScopeId) -> Expr {
        self.ternary_with(node, scope, "consequence")
    }

    /// [`Lowering::ternary`] with the chosen value in field `then`.
    fn ternary_with(&mut self, node: Node, scope: ScopeId, then: &'static str) -> Expr {
        let sp = self.span(node);
        let c = node.field("condition");
        let a = node.field(then);
        let b = node.field("alternative");
        let (Some(c), Some(a), Some(b)) = (c, a, b) else {
            return Expr::unknown(sp);
        };
        let c = self.expr(c, scope, false);
        let a = self.expr(a, scope, false);
        let b = self.expr(b, scope, false);
        alt(Some(c), vec![a, b], sp)
    }

    /// A statement the grammar does not model: its children that
    /// `is_statement` names are lowered as statements, the others as
    /// expressions (for the calls inside them).
    fn mixed_children(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>, is_statement: fn(&str) -> bool) {
        for child in self.children(node) {
            if is_statement(child.kind()) {
                self.stmt(child, scope, guard);
            } else {
                self.expr_top(child, scope, false);
            }
        }
    }

    /// A positional argument.
    fn positional_arg(&mut self, node: Node, scope: ScopeId) -> Arg {
        Arg {
            name: None,
            value: self.expr(node, scope, false),
        }
    }

    /// The lowered `condition` field of a node (an `if`, a loop): the guard
    /// of what it controls.
    fn condition(&mut self, node: Node, scope: ScopeId) -> Option<Expr> {
        self.lowered_field(node, "condition", scope)
    }

    /// A `switch`: its subject (the `field` child) lowered, and its sections
    /// (the children of its `body`, comments left out; none without one).
    fn switch_parts<'t>(
        &mut self,
        node: Node<'t>,
        field: &'static str,
        scope: ScopeId,
    ) -> (Option<Expr>, Vec<Node<'t>>) {
        let subject = self.lowered_field(node, field, scope);
        let sections = match node.field("body") {
            Some(body) => self.children(body),
            None => Vec::new(),
        };
        (subject, sections)
    }

    /// The lowered `field` child of a node (a `switch`'s value).
    fn lowered_field(&mut self, node: Node, field: &'static str, scope: ScopeId) -> Option<Expr> {
        node.field(field).map(|c| self.expr_top(c, scope, false))
    }

    /// The value an assignment of kind `compound` (`.=`, `||=`) stores:
    /// `left`'s value extended by `value` ([`Lowering::compound`]); any
    /// other assignment stores `value`.
    fn compound_value(&mut self, node: Node, left: Node, scope: ScopeId, value: Expr, compound: &str) -> Expr {
        if node.kind() != compound {
            return value;
        }
        let op = node.field("operator").map(|o| self.text(o)).unwrap_or("");
        let current = self.expr(left, scope, false);
        self.compound(op, &current, value)
    }

    /// `left op= value` as an expression: the target `left` stores
    /// `value` ([`Lowering::compound`] for a compound `op`); the stored value.
    fn store(&mut self, left: Node, op: &str, value: Expr, scope: ScopeId, guard: Option<&Expr>, sp: Span) -> Expr {
        let target = self.expr(left, scope, false);
        let value = self.compound(op, &target, value);
        self.push_assign(scope, target, value.clone(), guard, sp);
        value
    }

    /// `o.name` with the object and the name in fields `obj` and `name`.
    fn member_fields(&mut self, node: Node, scope: ScopeId, receiver: bool, obj: Fld, name: Fld) -> Expr {
        let sp = self.span(node);
        match self.object_and(node, scope, receiver, obj, name) {
            Some((o, n)) => member(o, self.text(n), sp),
            None => Expr::unknown(sp),
        }
    }

    /// `o[i]` with the object and index in fields `obj` and `idx`.
    fn index_fields(&mut self, node: Node, scope: ScopeId, receiver: bool, obj: Fld, idx: Fld) -> Expr {
        let sp = self.span(node);
        match self.object_and(node, scope, receiver, obj, idx) {
            Some((o, i)) => {
                let i = self.expr(i, scope, false);
                Expr::new(ExprKind::Index(Box::new(o), Box::new(i)), sp)
            }
            None => Expr::unknown(sp),
        }
    }

    /// The object in field `obj`, lowered, and the node in field `other`.
    fn object_and<'n>(
        &mut self,
        node: Node<'n>,
        scope: ScopeId,
        receiver: bool,
        obj: Fld,
        other: Fld,
    ) -> Option<(Expr, Node<'n>)> {
        let (o, x) = two_fields(node, obj, other)?;
        Some((self.expr(o, scope, receiver), x))
    }

    /// A function's `body` field: a block of kind `block_kind`, or an
    /// expression that is its return value (and, with `statement`, also
    /// its statement: `h -> h.set(…)`).
    fn function_body(&mut self, node: Node, scope: ScopeId, block_kind: &str, statement: bool) {
        if let Some(body) = node.field("body") {
            if body.kind() == block_kind {
                self.block(body, scope, None);
            } else {
                let value = self.expr_top(body, scope, statement);
                self.push_return(scope, value, None);
            }
        }
    }

    /// The unescaped text of a string node's children of the `parts` kinds.
    fn string_of(&self, node: Node, parts: &[&str]) -> String {
        let mut out = String::new();
        for c in self.children(node) {
            if parts.contains(&c.kind()) {
                out.push_str(&unescape(self.text(c)));
            }
        }
        out
    }

    /// How strings with interpolations are written (none by default).
    const INTERPOLATION: Interpolation = Interpolation {
        strings: &[],
        literal: &[],
        hole: "",
        inner: |_| None,
        lower_rest: false,
    };

    /// A string with interpolations, as [`Lowering::INTERPOLATION`] says;
    /// any other node is lowered as an expression.
    fn interpolated_string(&mut self, node: Node, scope: ScopeId) -> Expr {
        let table = &Self::INTERPOLATION;
        if !table.strings.contains(&node.kind()) {
            return self.expr(node, scope, false);
        }
        let mut parts: Vec<Expr> = Vec::new();
        let mut has_hole = false;
        for c in self.children(node) {
            if table.literal.contains(&c.kind()) {
                parts.push(self.literal_part(c));
            } else if c.kind() == table.hole {
                has_hole = true;
                let e = match (table.inner)(c) {
                    Some(e) => self.expr(e, scope, false),
                    None if table.lower_rest => self.unmodelled(c, scope),
                    None => Expr::unknown(self.span(c)),
                };
                parts.push(e);
            }
        }
        interpolated(parts, has_hole, self.span(node))
    }

    /// Adjacent string literals (`"a" "b"`): the concatenation of what
    /// `part` makes of each.
    fn adjacent_strings(&mut self, node: Node, scope: ScopeId, part: fn(&mut Self, Node, ScopeId) -> Expr) -> Expr {
        let parts = self.children(node).into_iter().map(|c| part(self, c, scope)).collect();
        Expr::new(ExprKind::Concat(parts), self.span(node))
    }

    /// `[a, b]`: the list of its children.
    fn list_items(&mut self, node: Node, scope: ScopeId) -> Expr {
        let items = self
            .children(node)
            .into_iter()
            .map(|c| self.expr(c, scope, false))
            .collect();
        Expr::new(ExprKind::List(items), self.span(node))
    }

    /// A literal piece of a string: its unescaped text.
    fn literal_part(&self, node: Node) -> Expr {
        Expr::new(ExprKind::Str(unescape(self.text(node)).into()), self.span(node))
    }

    /// An assignment's `left` node, `operator` (`=` without one) and
    /// lowered `right` side.
    fn assignment_parts<'t>(&mut self, node: Node<'t>, scope: ScopeId) -> Option<(Node<'t>, &'a str, Expr)> {
        let (left, right) = two_fields(node, "left", "right")?;
        let value = self.expr_top(right, scope, false);
        let op = node.field("operator").map(|o| self.text(o)).unwrap_or("=");
        Some((left, op, value))
    }

    /// `if (c) a else b` with `condition`, `consequence` and `alternative`
    /// fields: both branches guarded by `c`.
    fn if_else(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) {
        self.if_else_with(node, scope, guard, false);
    }

    /// [`Lowering::if_else`]; with `else_block` the alternative is an
    /// `else` clause whose children are the statements.
    fn if_else_with(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>, else_block: bool) {
        let cond = self.condition(node, scope);
        let g = cond.as_ref().or(guard);
        if let Some(b) = node.field("consequence") {
            self.stmt(b, scope, g);
        }
        match node.field("alternative") {
            Some(b) if else_block => self.block(b, scope, g),
            Some(b) => self.stmt(b, scope, g),
            None => {}
        }
    }

    /// A call ([`shapes::call_site`]).
    fn call_site(
        &mut self,
        callee: Expr,
        args: Vec<Arg>,
        is_new: bool,
        sp: Span,
        scope: ScopeId,
        receiver: bool,
    ) -> Expr {
        call_site(&mut self.frame_mut().facts, scope, callee, args, is_new, sp, receiver)
    }

    /// The class parameter `p`'s declared `type` names ([`type_class`]);
    /// empty without one.
    fn declared_type(&self, p: Node) -> String {
        p.field("type").map(|t| type_class(self.text(t))).unwrap_or_default()
    }

    /// A function's parameter names and their declared types.
    fn set_params(&mut self, scope: ScopeId, names: Vec<String>, types: Vec<String>) {
        let s = &mut self.frame_mut().facts.scopes[scope];
        s.params = names;
        s.param_types = types;
    }

    /// A read of env var `name` ([`shapes::env_read`]).
    fn env_read(&mut self, name: String, default: Option<Expr>, span: Span) -> Expr {
        env_read(&mut self.frame_mut().facts, name, default, span)
    }

    /// A read of the env var a literal or a ternary of literals names
    /// ([`shapes::env_read_by`]).
    fn env_read_by(&mut self, name: &Expr, default: Option<Expr>, span: Span) -> Option<Expr> {
        env_read_by(&mut self.frame_mut().facts, name, default, span)
    }

    /// Binds `name` in `parent` to the function or class `scope` (a call
    /// of `name` then reaches its returns, `name.x` its fields).
    fn bind_scope(&mut self, parent: ScopeId, name: String, scope: ScopeId, sp: Span) {
        bind_function(&mut self.frame_mut().facts, parent, name, sp, scope, sp);
    }

    /// The text of a node's `field` child ("" without one).
    fn field_text(&self, node: Node, field: &'static str) -> String {
        node.field(field).map(|n| self.text(n).to_string()).unwrap_or_default()
    }

    /// A class scope named `name` with `bases`, its name bound in `parent`
    /// (the class object: `name.x` reads its fields).
    fn declare_class(&mut self, node: Node, name: String, parent: ScopeId, bases: Vec<String>) -> ScopeId {
        let sp = self.span(node);
        let scope = self
            .frame_mut()
            .facts
            .add_scope(ScopeKind::Class, name.clone(), parent, sp);
        self.frame_mut().facts.scopes[scope].bases = bases;
        if !name.is_empty() {
            self.bind_scope(parent, name, scope, sp);
        }
        scope
    }

    /// The source text of a node.
    fn text(&self, node: Node) -> &'a str {
        node.utf8_text(self.frame().src).unwrap_or("")
    }

    fn span(&self, node: Node) -> Span {
        self.frame().lines.node_span(node)
    }

    fn block(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) {
        for child in self.statements(node) {
            self.stmt(child, scope, guard);
        }
    }

    fn stmt(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) {
        if self.frame().too_deep() {
            return;
        }
        self.frame_mut().depth += 1;
        self.stmt_inner(node, scope, guard);
        self.frame_mut().depth -= 1;
    }

    fn expr(&mut self, node: Node, scope: ScopeId, receiver: bool) -> Expr {
        if self.frame().too_deep() {
            return Expr::unknown(self.span(node));
        }
        self.frame_mut().depth += 1;
        let e = self.expr_inner(node, scope, receiver);
        self.frame_mut().depth -= 1;
        e
    }

    /// Lowers an expression at the top of a statement (its calls are chain
    /// heads).
    fn expr_top(&mut self, node: Node, scope: ScopeId, statement: bool) -> Expr {
        let e = self.expr(node, scope, false);
        if statement {
            self.frame_mut().facts.mark_statement(e.span);
        }
        e
    }

    /// An expression statement: each expression in it (comments left out)
    /// lowered as a statement.
    fn expression_statement(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) {
        for child in self.children(node) {
            self.expr_stmt(child, scope, guard);
        }
    }

    /// One expression used as a statement. The default: the expression, its
    /// calls chain heads; a language overrides it for its assignments and
    /// the statement-like calls it knows.
    fn expr_stmt(&mut self, node: Node, scope: ScopeId, _guard: Option<&Expr>) {
        self.expr_top(node, scope, true);
    }

    fn push_assign(&mut self, scope: ScopeId, target: Expr, value: Expr, guard: Option<&Expr>, span: Span) {
        push_assign(&mut self.frame_mut().facts, scope, target, value, guard, span);
    }

    fn push_return(&mut self, scope: ScopeId, value: Expr, guard: Option<&Expr>) {
        self.frame_mut().facts.returns.push(Return {
            scope,
            value,
            guard: guard.cloned().map(Box::new),
        });
    }
}
