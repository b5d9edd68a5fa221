//! What every code front-end owes hostile input, checked for all of them
//! from one table: a syntax error costs the statement it is in and gives
//! its line; any prefix of a real file lowers; nesting far deeper than any
//! real code is cut, never overflows a small stack.

use super::lower;
use super::testing::{assigns, each_truncation, on_stack};
use crate::facts::FileFacts;

/// Lowers `text` as the file `path` says.
fn lower_path(path: &str, text: &str) -> FileFacts {
    let lang = super::lang_for_path(path).expect("a code file");
    lower(lang, path, text)
}

/// A file with a syntax error on `line`, and an env var read on a line
/// after it that must still be lowered (`""`: the language has no such
/// read in the case).
#[rustfmt::skip]
const BROKEN: &[(&str, &str, u32, &str)] = &[
    ("a.py", "a = os.environ['A']\ndef oops(:\n    pass\nb = os.environ['B']\n", 2, "B"),
    ("a.js", "const a = process.env.A;\nfunction oops( {\n}\nconst b = process.env.B;\n", 2, "B"),
    ("a.ts", "const a: string = process.env.A!;\nfunction oops( {\n}\nconst b = process.env.B;\n", 2, "B"),
    ("A.java", "class C {\n void f( {\n }\n String x = System.getenv(\"A\");\n}\n", 2, "A"),
    ("A.cs", "class C {\n void F( {\n }\n string X = Environment.GetEnvironmentVariable(\"A\");\n}\n", 2, "A"),
    ("a.go", "package p\nfunc broken( {\n}\nfunc ok() {\n\tu := os.Getenv(\"B\")\n}\n", 2, "B"),
    ("a.php", "<?php\n$a = getenv('A');\nfunction oops( {\n}\n$b = getenv('B');\n", 3, "B"),
    ("a.rb", "a = ENV['A']\nfoo(]\nb = ENV['B']\n", 2, "B"),
    ("a.rs", "fn broken() { let = 5; }\nfn fine() { let b = std::env::var(\"B\"); }\n", 1, "B"),
    ("a.sh", "T=$ZOHO_T\ncurl https://www.zohoapis.com\necho )\nB=$B\n", 3, ""),
];

#[test]
fn a_syntax_error_gives_its_line_and_keeps_the_rest() {
    for &(path, text, line, after) in BROKEN {
        let f = lower_path(path, text);
        assert_eq!(f.parse_error_line, Some(line), "{path}: {text:?}");
        if !after.is_empty() {
            assert!(f.env_reads.iter().any(|r| r == after), "{path}: {:?}", f.env_reads);
        }
    }
}

/// Every prefix of every fixture file of each code language lowers (the
/// grammar's error recovery must never make a front-end panic).
#[test]
fn every_prefix_of_every_fixture_lowers() {
    for ext in ["py", "js", "ts", "java", "cs", "go", "php", "rb", "rs", "sh"] {
        let path = format!("a.{ext}");
        each_truncation(ext, |t| {
            lower_path(&path, t);
        });
    }
}

/// Nesting `n` deep: `head`, `open` n times, `mid`, `close` n times,
/// `tail`; and an assignment the lowering must keep (`""`: none asserted).
struct Deep {
    path: &'static str,
    head: &'static str,
    open: &'static str,
    mid: &'static str,
    close: &'static str,
    tail: &'static str,
    n: usize,
    keeps: &'static str,
}

const fn deep(path: &'static str, head: &'static str, open: &'static str, close: &'static str) -> Deep {
    Deep {
        path,
        head,
        open,
        mid: "1",
        close,
        tail: "\n",
        n: 1000,
        keeps: "",
    }
}

#[rustfmt::skip]
const DEEP: &[Deep] = &[
    Deep { n: 5000, ..deep("a.py", "x = ", "(", ")") },
    Deep { n: 3000, ..deep("a.py", "x = ", "[", "]") },
    deep("a.py", "x = ", "lambda: ", ""),
    Deep { mid: "f()", ..deep("a.py", "", "if a:\n", "") },
    Deep { n: 300, mid: "f()", tail: ";\n", keeps: "x@0 = ?", ..deep("a.js", "const x = ", "(", ")") },
    deep("a.js", "x = ", "y => ", ""),
    deep("a.js", "x = ", "{a: ", "}"),
    Deep { mid: "", ..deep("a.js", "x = ", "class { a = ", "}") },
    Deep { mid: "f();", ..deep("a.js", "", "if (a) { ", "}") },
    deep("a.js", "x = ", "`${", "}`"),
    deep("a.js", "x = ", "a ? b : ", ""),
    Deep { mid: "", ..deep("a.js", "x = ", "<a b={", "} />") },
    deep("a.js", "x = ", "a + (", ")"),
    deep("a.js", "x = ", "f(() => ", ")"),
    Deep { mid: "x", tail: ") {}", ..deep("a.js", "function f(", "{a: ", "}") },
    Deep { mid: "b", tail: " = y;", ..deep("a.js", "const ", "{a: ", "}") },
    deep("a.js", "", "a = ", ""),
    Deep { n: 5000, ..deep("a.js", "", "f(), ", "") },
    Deep { mid: "1;;) {}", ..deep("a.js", "for (", "a = ", "") },
    deep("a.js", "x = ", "[...", "]"),
    deep("a.ts", "x = ", "(<T>(", "))"),
    deep("a.tsx", "x = ", "(a as any)[", "]"),
    Deep { n: 5000, mid: "\"a\"", tail: "; }", keeps: "this.x@1 = ?", ..deep("A.java", "class C { String x = ", "(", ")") },
    Deep { tail: "; }", ..deep("A.cs", "class C { string x = ", "a + (", ")") },
    Deep { mid: "G();", tail: " } }", ..deep("A.cs", "class C { void F() { ", "if (a) { ", "}") },
    Deep { tail: "; }", ..deep("A.cs", "class C { object x = ", "a ? b : ", "") },
    Deep { tail: "; }", ..deep("A.cs", "class C { object x = ", "F(() => ", ")") },
    Deep { mid: "", tail: "; }", ..deep("A.cs", "class C { object x = ", "new A { B = ", " }") },
    Deep { n: 5000, mid: "", tail: "; }", ..deep("A.cs", "class C { object x = a", ".B()", "") },
    Deep { mid: "", tail: "\"; }", ..deep("A.cs", "class C { string x = $\"", "{$\"", "\"}") },
    Deep { mid: "", ..deep("A.cs", "", "class A { ", "}") },
    Deep { n: 20_000, ..deep("a.go", "package p\nvar x = ", "(", ")") },
    Deep { n: 5000, tail: ";\n", keeps: "x@0 = ?", ..deep("a.php", "<?php\n$x = ", "(", ")") },
    Deep { n: 3000, mid: "'a'", tail: ";\n", ..deep("a.php", "<?php\n$x = ", "[", "]") },
    Deep { n: 5000, ..deep("a.rb", "x = ", "(", ")") },
    Deep { n: 3000, mid: "'a'", ..deep("a.rb", "x = ", "[", "]") },
    Deep { n: 2000, mid: "", ..deep("a.rb", "", "if a\n", "end\n") },
    Deep { n: 5000, mid: "\"https://www.zohoapis.com\"", tail: ";\nconst Y: &str = \"y\";\n", keeps: "Y@0 = \"y\"", ..deep("a.rs", "const X: &str = ", "(", ")") },
    Deep { n: 5000, mid: "y", tail: "; }\n", ..deep("a.rs", "fn f() { let x = ", "!", "") },
    Deep { n: 100_000, mid: "", tail: "; }\n", ..deep("a.rs", "fn f() { a", ".b()", "") },
    Deep { n: 100_000, mid: "\"a\"", tail: ";\nconst T: &str = \"t\";\n", keeps: "T@0 = \"t\"", ..deep("a.rs", "const S: &str = ", "\"a\" + ", "") },
    Deep { n: 3000, mid: "x", ..deep("a.sh", "echo ", "$(echo ", ")") },
    Deep { n: 5000, mid: "curl x", ..deep("a.sh", "", "(", ")") },
];

#[test]
fn deep_nesting_is_cut_on_a_small_stack() {
    for d in DEEP {
        let text = format!(
            "{}{}{}{}{}",
            d.head,
            d.open.repeat(d.n),
            d.mid,
            d.close.repeat(d.n),
            d.tail
        );
        let path = d.path;
        let f = on_stack(2 << 20, move || lower_path(path, &text));
        if !d.keeps.is_empty() {
            assert!(
                assigns(&f).iter().any(|a| a == d.keeps),
                "{path} {:?}: {:?}",
                d.open,
                assigns(&f)
            );
        }
    }
}
