//! Shared harness code for the fuzz targets (see `fuzz/README.md`).

use orgtoken::facts::Lang;

/// File names per front-end: the first input byte picks one, so the
/// path-selected dialects (TSX, GitHub workflows, Compose, Postman,
/// appsettings, tfvars, ...) are fuzzed too.
pub fn paths(lang: Lang) -> &'static [&'static str] {
    match lang {
        Lang::Python => &["app.py", "stubs.pyi"],
        Lang::JavaScript => &["app.js", "app.jsx", "app.mjs", "app.cjs"],
        Lang::TypeScript => &["app.ts", "app.tsx", "app.mts"],
        Lang::Rust => &["src/main.rs"],
        Lang::Java => &["src/Main.java"],
        Lang::CSharp => &["Program.cs"],
        Lang::Php => &["index.php"],
        Lang::Ruby => &["app.rb", "Rakefile.rake"],
        Lang::Go => &["main.go"],
        Lang::Shell => &["deploy.sh", "run.bash"],
        Lang::Sql => &["schema.sql"],
        Lang::Dotenv => &[".env", ".env.production", ".env.sandbox.local", ".envrc", ".dev.vars", "app/.env.example"],
        Lang::Yaml => &[
            "config.yml",
            ".github/workflows/ci.yml",
            ".gitlab-ci.yml",
            "docker-compose.yml",
            "compose.prod.yaml",
            "k8s/secret.yaml",
            "src/main/resources/application-prod.yml",
            "values-sandbox.yaml",
        ],
        Lang::Json => &[
            "config.json",
            "pm/sandbox.postman_environment.json",
            "pm/api.postman_collection.json",
            "pm/workspace.postman_globals.json",
            "appsettings.json",
            "src/appsettings.Production.json",
            "config/production.json",
            "package.json",
        ],
        Lang::Toml => &["config.toml", "zoho.toml", "config/sandbox.toml"],
        Lang::Ini => &["config.ini", "setup.cfg", "app.conf", "application-sandbox.properties"],
        Lang::Hcl => &["main.tf", "variables.tf", "envs/sandbox.tfvars"],
    }
}

/// One front-end target: first byte picks the path, the rest is the text.
pub fn lower(lang: Lang, data: &[u8]) {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let names = paths(lang);
    let path = names[first as usize % names.len()];
    let _ = orgtoken::frontend::lower(lang, path, text);
}
