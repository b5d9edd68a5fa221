//! Shell front-end: tree-sitter-bash → facts (sh, bash, zsh scripts).
//!
//! Variables (`X=…`, `export`, `local`, `readonly`, `declare`, `read X`,
//! `for x in …`) are assignments; `$X` / `${X}` inside words and double-quoted
//! strings are `Concat` parts; a variable the script never assigns is an
//! environment read (`Env`); `${X:-default}` is an alternative of the two;
//! `${X/www/sandbox}` is a `replace`; `if`/`elif`/`case` conditions guard the
//! assignments under them. Each `curl` / `wget` / `http` (httpie) command is a
//! call: its URL arguments are positional arguments, its headers a `headers`
//! dict (`-H "Authorization: …"`), its form fields a `data` dict
//! (`-d refresh_token=…`). A command substitution piped into `jq -r .field`
//! is that field of the call's response. Functions are scopes whose
//! parameters are `$1`…`$9`; calling one is a call with positional arguments;
//! a variable a function assigns without `local` is also a global (its value
//! is then read in the script's scope). `source`d files are not followed.
//!
//! What a command-line option means is curl's (wget's, httpie's) syntax,
//! so it lives here; nothing here knows about Zoho.

use crate::source::Field;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use tree_sitter::Node;

use super::frame::{self, Frame, Lowering};
use crate::facts::*;
use crate::source::{unescape, LineIndex};

/// Positional parameters a shell function may read.
const POSITIONAL: [&str; 9] = ["1", "2", "3", "4", "5", "6", "7", "8", "9"];

pub fn lower(text: &str) -> FileFacts {
    frame::lower(tree_sitter_bash::LANGUAGE.into(), text, |f| Lowerer {
        f,
        first_assign: HashMap::new(),
        functions: HashSet::new(),
        assigning: None,
        locals: HashSet::new(),
    })
}

struct Lowerer<'a> {
    f: Frame<'a>,
    /// Variable name → byte offset of its first assignment in the file.
    first_assign: HashMap<String, usize>,
    /// Names of the functions the script defines.
    functions: HashSet<String>,
    /// The assignment being lowered: (name, start byte). `X=${X:-d}` reads
    /// the environment's X when nothing assigned X before.
    assigning: Option<(String, usize)>,
    /// Names declared `local` (`declare`, `typeset`) in a function scope.
    locals: HashSet<(ScopeId, String)>,
}

use crate::source::named_children;

/// Children with their field names.
fn fielded_children<'t>(node: Node<'t>) -> Vec<(Option<&'static str>, Node<'t>)> {
    let mut c = node.walk();
    let kids: Vec<Node<'t>> = node.children(&mut c).collect();
    kids.into_iter()
        .enumerate()
        .map(|(i, k)| (node.field_name_for_child(i as u32), k))
        .collect()
}

/// A word split into literal and expanded parts, so that option syntax
/// (`--header=…`, `Name: value`, `k=v&k2=v2`) can be read across expansions.
type Parts = Vec<Expr>;

impl<'a> Lowerer<'a> {
    /// Names assigned anywhere (and where first), and the functions defined.
    /// Iterative: deep files cost no stack here.
    fn collect_names(&mut self, root: Node) {
        let mut cursor = root.walk();
        loop {
            let node = cursor.node();
            match node.kind() {
                "variable_assignment" => {
                    if let Some(n) = node.field("name") {
                        let name = self.text(n).to_string();
                        self.note_assigned(name, node.start_byte());
                    }
                }
                "for_statement" | "c_style_for_statement" => {
                    if let Some(v) = node.field("variable") {
                        let name = self.text(v).to_string();
                        self.note_assigned(name, node.start_byte());
                    }
                }
                "function_definition" => {
                    if let Some(n) = node.field("name") {
                        self.functions.insert(self.text(n).to_string());
                    }
                }
                "command" => {
                    if let Some(names) = self.read_targets(node) {
                        for n in names {
                            let name = self.text(n).to_string();
                            self.note_assigned(name, node.start_byte());
                        }
                    }
                }
                _ => {}
            }
            if cursor.goto_first_child() {
                continue;
            }
            loop {
                if cursor.goto_next_sibling() {
                    break;
                }
                if !cursor.goto_parent() {
                    return;
                }
            }
        }
    }

    fn note_assigned(&mut self, name: String, at: usize) {
        let e = self.first_assign.entry(name).or_insert(at);
        *e = (*e).min(at);
    }

    /// The variables `read [-r] A B` assigns (with the command node).
    fn read_targets<'t>(&self, cmd: Node<'t>) -> Option<Vec<Node<'t>>> {
        let name = cmd.field("name")?;
        if self.text(name) != "read" {
            return None;
        }
        let mut c = cmd.walk();
        let args: Vec<Node<'t>> = cmd.children_by_field_name("argument", &mut c).collect();
        let mut out = Vec::new();
        let mut skip_next = false;
        for a in args {
            let t = self.text(a);
            if skip_next {
                skip_next = false;
                continue;
            }
            if let Some(flag) = t.strip_prefix('-') {
                // -a/-d/-n/-p/-t/-u take a value.
                skip_next = flag.len() == 1 && "adnNptu".contains(flag);
                continue;
            }
            if a.kind() == "word" {
                out.push(a);
            }
        }
        Some(out)
    }

    // ------------------------------------------------------------------
    // Statements
    // ------------------------------------------------------------------

    fn stmts(&mut self, nodes: &[Node], scope: ScopeId, guard: Option<&Expr>) {
        for n in nodes {
            self.stmt(*n, scope, guard);
        }
    }

    /// A condition: a test becomes the guard's expression; a command is
    /// lowered as a statement (its calls are seen) and guards opaquely.
    fn condition(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) -> Expr {
        match node.kind() {
            "test_command" => {
                let mut ops = Vec::new();
                for c in named_children(node) {
                    self.test_operands(c, scope, &mut ops, 0);
                }
                Expr::new(ExprKind::Test(ops.into()), self.span(node))
            }
            "negated_command" => {
                let inner = named_children(node);
                match inner.first() {
                    Some(i) => self.condition(*i, scope, guard),
                    None => Expr::unknown(self.span(node)),
                }
            }
            "list" => {
                let mut ops = Vec::new();
                for c in named_children(node) {
                    let e = self.condition(c, scope, guard);
                    ops.push(e);
                }
                Expr::new(ExprKind::Test(ops.into()), self.span(node))
            }
            _ => {
                self.stmt(node, scope, guard);
                Expr::unknown(self.span(node))
            }
        }
    }

    fn test_operands(&mut self, node: Node, scope: ScopeId, ops: &mut Vec<Expr>, depth: usize) {
        if depth > 16 || self.f.nesting.too_deep(self.f.depth + depth) {
            return;
        }
        match node.kind() {
            "binary_expression" | "unary_expression" | "parenthesized_expression" | "negated_expression" => {
                for c in named_children(node) {
                    self.test_operands(c, scope, ops, depth + 1);
                }
            }
            "test_operator" => {}
            _ => ops.push(self.word(node, scope)),
        }
    }

    fn if_statement(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>) {
        let mut cond: Option<Expr> = None;
        let mut body = Vec::new();
        for (field, k) in fielded_children(node) {
            if !k.is_named() {
                continue;
            }
            match (field, k.kind()) {
                (Some("condition"), _) => {
                    let c = self.condition(k, scope, guard);
                    cond = Some(c);
                }
                (_, "elif_clause") | (_, "else_clause") => {}
                _ => body.push(k),
            }
        }
        let g = cond.as_ref().or(guard).cloned();
        self.stmts(&body, scope, g.as_ref());
        for alt in named_children(node) {
            match alt.kind() {
                "elif_clause" => {
                    // Before `then`: the condition; after: the body.
                    let mut seen_then = false;
                    let mut ec: Option<Expr> = None;
                    let mut ebody = Vec::new();
                    for k in {
                        let mut c = alt.walk();
                        alt.children(&mut c).collect::<Vec<_>>()
                    } {
                        if k.kind() == "then" {
                            seen_then = true;
                            continue;
                        }
                        if !k.is_named() {
                            continue;
                        }
                        if seen_then {
                            ebody.push(k);
                        } else {
                            let c = self.condition(k, scope, g.as_ref());
                            ec = Some(c);
                        }
                    }
                    let eg = ec.or_else(|| g.clone());
                    self.stmts(&ebody, scope, eg.as_ref());
                }
                "else_clause" => {
                    let kids = named_children(alt);
                    self.stmts(&kids, scope, g.as_ref());
                }
                _ => {}
            }
        }
    }

    /// `name=value`, lowered in `scope`, assigned in `target_scope`; the
    /// index of the assignment made.
    fn assignment(&mut self, node: Node, scope: ScopeId, target_scope: ScopeId, guard: Option<&Expr>) -> Option<usize> {
        let name = node.field("name")?;
        if name.kind() != "variable_name" {
            // `arr[i]=…`: not modelled, but its value may hold calls.
            if let Some(v) = node.field("value") {
                self.word(v, scope);
            }
            return None;
        }
        let n = self.text(name).to_string();
        let outer = self.assigning.replace((n.clone(), node.start_byte()));
        let value = match node.field("value") {
            Some(v) => self.word(v, scope),
            None => Expr::new(ExprKind::Str(String::new().into()), self.span(node)),
        };
        self.assigning = outer;
        // `X+=more` appends.
        let append = {
            let mut c = node.walk();
            let appended = node.children(&mut c).any(|k| k.kind() == "+=");
            appended
        };
        let value = if append {
            let sp = value.span;
            let current = self.var(&n, self.span(name), node.start_byte());
            Expr::new(ExprKind::Concat(vec![current, value].into()), sp)
        } else {
            value
        };
        let sp = self.span(node);
        self.push_assign(
            target_scope,
            Expr::new(ExprKind::Name(n.into()), self.span(name)),
            value,
            guard,
            sp,
        );
        Some(self.f.facts.assigns.len() - 1)
    }

    fn function(&mut self, node: Node, parent: ScopeId) {
        let name = self.field_text(node, "name");
        let sp = self.span(node);
        let scope = self.f.facts.add_scope(ScopeKind::Function, name.clone(), parent, sp);
        self.f.facts.scopes[scope].params = POSITIONAL.iter().map(|p| p.to_string()).collect();
        if !name.is_empty() {
            let name_span = node.field("name").map(|n| self.span(n)).unwrap_or(sp);
            frame::bind_function(&mut self.f.facts, parent, name, name_span, scope, sp);
        }
        if let Some(body) = node.field("body") {
            self.stmt(body, scope, None);
        }
    }

    /// A simple command. Returns its value when it has one: the call of an
    /// HTTP client or of a script function, or what `echo`/`printf` prints.
    fn command(&mut self, node: Node, scope: ScopeId, guard: Option<&Expr>, statement: bool) -> Option<Expr> {
        let sp = self.span(node);
        let mut name: Option<Node> = None;
        let mut args: Vec<Node> = Vec::new();
        for (field, k) in fielded_children(node) {
            match (field, k.kind()) {
                (Some("name"), _) => name = Some(k),
                (Some("argument"), _) => args.push(k),
                // `TOKEN=x curl …`: the prefix sets the variable for the command.
                (_, "variable_assignment") => {
                    self.assignment(k, scope, scope, guard);
                }
                _ => {}
            }
        }
        let name = name?;
        let cmd = self.text(name).to_string();
        if let Some(targets) = self.read_targets(node) {
            for t in targets {
                let target = Expr::new(ExprKind::Name(self.text(t).to_string().into()), self.span(t));
                self.push_assign(scope, target, Expr::unknown(sp), guard, sp);
            }
            return None;
        }
        let call = if let Some(client) = client_for(&cmd) {
            let callee = Expr::new(ExprKind::Name(cmd.clone().into()), self.span(name));
            let call_args = self.client_args(client, &args, scope);
            Call {
                callee,
                args: call_args.into(),
                is_new: false,
            }
        } else if self.functions.contains(&cmd) {
            let callee = Expr::new(ExprKind::Name(cmd.clone().into()), self.span(name));
            let call_args = args
                .iter()
                .map(|a| Arg {
                    name: None,
                    value: self.word(*a, scope),
                })
                .collect();
            Call {
                callee,
                args: call_args,
                is_new: false,
            }
        } else {
            // Any other command: its words may still hold calls and env reads.
            let values: Vec<Expr> = args.iter().map(|a| self.word(*a, scope)).collect();
            return match cmd.as_str() {
                "echo" => values
                    .into_iter()
                    .find(|v| !v.as_str().is_some_and(|s| s.starts_with('-'))),
                "printf" => self.printf(values, scope, guard, sp),
                _ => None,
            };
        };
        let e = Expr::new(ExprKind::Call(Arc::new(call)), sp);
        self.f.facts.calls.push(CallSite {
            scope,
            expr: e.clone(),
            statement,
        });
        Some(e)
    }

    /// `printf FORMAT ARG…`: what it prints is its format filled with the
    /// arguments, as every printf-style formatting call is; `printf -v VAR
    /// FORMAT ARG…` (bash) assigns that text to VAR and prints nothing.
    fn printf(&mut self, mut words: Vec<Expr>, scope: ScopeId, guard: Option<&Expr>, sp: Span) -> Option<Expr> {
        let mut target = None;
        if words.len() > 2 && words[0].as_str() == Some("-v") {
            let name = words.remove(1);
            words.remove(0);
            target = name
                .as_str()
                .map(|n| Expr::new(ExprKind::Name(n.to_string().into()), name.span));
        }
        if words.first().and_then(Expr::as_str) == Some("--") {
            words.remove(0);
        }
        let mut words = words.into_iter();
        let format = words.next()?;
        let text = crate::template::fill(
            FormatStyle::Printf,
            format,
            crate::template::positional(words.collect()),
            sp,
        );
        match target {
            Some(t) => {
                self.push_assign(scope, t, text, guard, sp);
                None
            }
            None => Some(text),
        }
    }

    // ------------------------------------------------------------------
    // Words
    // ------------------------------------------------------------------

    /// A word's value.
    fn word(&mut self, node: Node, scope: ScopeId) -> Expr {
        let sp = self.span(node);
        if node.kind() == "array" {
            let items = named_children(node).into_iter().map(|c| self.word(c, scope)).collect();
            return Expr::new(ExprKind::List(items), sp);
        }
        let parts = self.parts(node, scope);
        concat(parts, sp)
    }

    /// A word as literal and expanded parts, adjacent literals merged.
    fn parts(&mut self, node: Node, scope: ScopeId) -> Parts {
        let mut out = Vec::new();
        if self.f.too_deep() {
            out.push(Expr::unknown(self.span(node)));
            return out;
        }
        self.f.depth += 1;
        self.parts_into(node, scope, &mut out);
        self.f.depth -= 1;
        merge_literals(out, &self.f.lines)
    }

    fn parts_into(&mut self, node: Node, scope: ScopeId, out: &mut Parts) {
        let sp = self.span(node);
        match node.kind() {
            "word" | "extglob_pattern" | "regex" => {
                out.push(Expr::new(ExprKind::Str(unquote_word(self.text(node)).into()), sp));
            }
            "number" => out.push(Expr::new(ExprKind::Str(self.text(node).to_string().into()), sp)),
            "raw_string" => {
                let t = self.text(node);
                let inner = t.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')).unwrap_or(t);
                let inner_span = self
                    .f
                    .lines
                    .span(node.start_byte() + 1, node.end_byte().saturating_sub(1));
                out.push(Expr::new(ExprKind::Str(inner.to_string().into()), inner_span));
            }
            "ansi_c_string" => {
                let t = self.text(node);
                let inner = t.strip_prefix("$'").and_then(|t| t.strip_suffix('\'')).unwrap_or(t);
                out.push(Expr::new(ExprKind::Str(unescape(inner).into()), sp));
            }
            "string" | "translated_string" => {
                for c in named_children(node) {
                    match c.kind() {
                        "string_content" => {
                            let s = unescape_dquoted(self.text(c));
                            out.push(Expr::new(ExprKind::Str(s.into()), self.span(c)));
                        }
                        _ => self.parts_into(c, scope, out),
                    }
                }
            }
            "concatenation" => {
                for c in named_children(node) {
                    self.parts_into(c, scope, out);
                }
            }
            "simple_expansion" => {
                let name = named_children(node).into_iter().next();
                match name {
                    Some(n) if n.kind() == "variable_name" => {
                        let v = self.var(self.text(n), sp, node.start_byte());
                        out.push(v);
                    }
                    _ => out.push(Expr::unknown(sp)),
                }
            }
            "expansion" => out.push(self.expansion(node, scope)),
            "command_substitution" => out.push(self.substitution(node, scope)),
            "arithmetic_expansion" => out.push(Expr::new(ExprKind::Number, sp)),
            "process_substitution" => {
                for c in named_children(node) {
                    self.stmt(c, scope, None);
                }
                out.push(Expr::unknown(sp));
            }
            _ => out.push(Expr::unknown(sp)),
        }
    }

    /// `$NAME`: a script variable, a function's positional parameter, or the
    /// environment's variable.
    fn var(&mut self, name: &str, span: Span, at: usize) -> Expr {
        if POSITIONAL.contains(&name) {
            return Expr::new(ExprKind::Name(name.to_string().into()), span);
        }
        if !name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_') {
            return Expr::unknown(span); // $?, $@, $#, $0…
        }
        let from_env = match self.first_assign.get(name) {
            None => true,
            // `X=${X:-default}`: nothing assigned X before, so the environment did.
            Some(&first) => self
                .assigning
                .as_ref()
                .is_some_and(|(n, start)| n == name && first >= *start && at >= *start),
        };
        if from_env {
            if !self.f.facts.env_reads.iter().any(|e| e == name) {
                self.f.facts.env_reads.push(name.to_string());
            }
            Expr::new(ExprKind::Env(name.to_string().into()), span)
        } else {
            Expr::new(ExprKind::Name(name.to_string().into()), span)
        }
    }

    /// `${…}`: a plain reference, a default (`:-`, `-`, `:=`, `=`), a
    /// pattern replacement (`/from/to`), or a suffix/prefix strip.
    fn expansion(&mut self, node: Node, scope: ScopeId) -> Expr {
        let sp = self.span(node);
        let kids = fielded_children(node);
        let Some(name_idx) = kids.iter().position(|(_, k)| k.kind() == "variable_name") else {
            return Expr::unknown(sp);
        };
        // `${#X}`, `${!X}`: a length or an indirection.
        if kids[..name_idx].iter().any(|(f, _)| *f == Some("operator")) {
            return Expr::unknown(sp);
        }
        let var = self.var(self.text(kids[name_idx].1), sp, node.start_byte());
        let rest: Vec<(Option<&str>, Node)> = kids[name_idx + 1..]
            .iter()
            .copied()
            .filter(|(_, k)| k.kind() != "}")
            .collect();
        let Some((_, op)) = rest.first().copied() else {
            return var;
        };
        let op = self.text(op).to_string();
        let operands: Vec<Node> = rest[1..]
            .iter()
            .filter(|(f, k)| *f != Some("operator") && k.is_named())
            .map(|(_, k)| *k)
            .collect();
        match op.as_str() {
            ":-" | "-" | ":=" | "=" => {
                let mut parts = Vec::new();
                for o in &operands {
                    parts.extend(self.parts(*o, scope));
                }
                let default = concat(merge_literals(parts, &self.f.lines), sp);
                frame::either(var, default, sp)
            }
            "/" | "//" if operands.len() == 2 => {
                let from = self.word(operands[0], scope);
                let to = self.word(operands[1], scope);
                let callee = Expr::new(ExprKind::Member(Box::new(var), "replace".into()), sp);
                Expr::new(
                    ExprKind::Call(Arc::new(Call {
                        callee,
                        args: vec![
                            Arg {
                                name: None,
                                value: from,
                            },
                            Arg { name: None, value: to },
                        ]
                        .into(),
                        is_new: false,
                    })),
                    sp,
                )
            }
            // `${X%/}`, `${X#prefix}`: close enough to X for hosts and tokens.
            "%" | "%%" | "#" | "##" => var,
            _ => Expr::unknown(sp),
        }
    }

    /// `$(…)` / `` `…` ``: the value of its last pipeline or command.
    fn substitution(&mut self, node: Node, scope: ScopeId) -> Expr {
        let sp = self.span(node);
        let kids = named_children(node);
        let mut value = None;
        for k in kids {
            value = self.valued(k, scope);
        }
        value.unwrap_or_else(|| Expr::unknown(sp))
    }

    /// The value of a command inside a substitution: `curl …` is its call;
    /// `curl … | jq -r .access_token` is that field of the call's response.
    fn valued(&mut self, node: Node, scope: ScopeId) -> Option<Expr> {
        if self.f.too_deep() {
            return None;
        }
        self.f.depth += 1;
        let r = match node.kind() {
            "command" => match self.jq_file_read(node, scope) {
                Some(read) => Some(read),
                None => self.command(node, scope, None, false),
            },
            "redirected_statement" => node.field("body").and_then(|b| self.valued(b, scope)),
            "pipeline" => {
                let cmds = named_children(node);
                let mut value: Option<Expr> = None;
                for (i, c) in cmds.iter().enumerate() {
                    if i > 0 {
                        if let Some(path) = self.jq_path(*c) {
                            value = value.map(|v| {
                                path.into_iter().fold(v, |acc, (field, fsp)| {
                                    Expr::new(ExprKind::Member(Box::new(acc), field.into()), fsp)
                                })
                            });
                            continue;
                        }
                    }
                    // A text filter (`tr`, `sed`) passes the value through.
                    let v = self.valued(*c, scope);
                    if i == 0 || v.is_some() {
                        value = v;
                    }
                }
                value
            }
            _ => {
                self.stmt(node, scope, None);
                None
            }
        };
        self.f.depth -= 1;
        r
    }

    /// `jq -r .sandbox "$CONFIG_FILE"`: that field of the record the file
    /// holds, read from the file's load (`jq FILE`, a whole-file load of
    /// `crate::loads`); a `jq` reading its input → None.
    fn jq_file_read(&mut self, cmd: Node, scope: ScopeId) -> Option<Expr> {
        let path = self.jq_path(cmd)?;
        let name = cmd.field("name")?;
        let mut c = cmd.walk();
        let args: Vec<Node> = cmd.children_by_field_name("argument", &mut c).collect();
        let mut operands = args.into_iter().filter(|a| !self.text(*a).starts_with('-'));
        let (_filter, file) = (operands.next()?, operands.next()?);
        let call = Call {
            callee: Expr::new(ExprKind::Name(self.text(name).into()), self.span(name)),
            args: vec![Arg {
                name: None,
                value: self.word(file, scope),
            }]
            .into(),
            is_new: false,
        };
        if !crate::loads::is_whole_file_load(Lang::Shell, &call) {
            return None;
        }
        let load = Expr::new(ExprKind::Call(Arc::new(call)), self.span(cmd));
        Some(path.into_iter().fold(load, |acc, (field, fsp)| {
            Expr::new(ExprKind::Member(Box::new(acc), field.into()), fsp)
        }))
    }

    /// `jq -r '.a.b'` → [a, b]; any other filter → None.
    fn jq_path(&self, cmd: Node) -> Option<Vec<(String, Span)>> {
        if cmd.kind() != "command" {
            return None;
        }
        let name = cmd.field("name")?;
        if self.text(name) != "jq" {
            return None;
        }
        let mut c = cmd.walk();
        let args: Vec<Node> = cmd.children_by_field_name("argument", &mut c).collect();
        let filter = args.into_iter().find(|a| !self.text(*a).starts_with('-'))?;
        let t = self.text(filter).trim_matches(['\'', '"']);
        let sp = self.span(filter);
        let fields: Vec<(String, Span)> = t
            .strip_prefix('.')?
            .split('.')
            .map(|f| (f.trim_end_matches(['?']).to_string(), sp))
            .collect();
        fields
            .iter()
            .all(|(f, _)| !f.is_empty() && f.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            .then_some(fields)
    }
}

mod clients;
mod lowering;
mod words;
use clients::client_for;
use words::*;

#[cfg(test)]
mod tests;
