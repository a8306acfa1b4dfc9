//! The TOML configuration file, an alternative to flags and `PASSERELLE_*` variables: a key
//! is its variable's name without the prefix, in lower case (`database_url`), and sets what
//! the variable would for every command. Its values become the flags' defaults, so a flag
//! wins over a variable, a variable over the file, the file over the built-in defaults.
//! Every problem is refused before anything runs, in French, naming the key and the line.

use clap::error::ErrorKind;
use clap::{Arg, ArgAction, Command};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use toml::Spanned;

const PREFIX: &str = "PASSERELLE_";
/// The variable naming the file itself; not a key of the file.
pub const CONFIG_VARIABLE: &str = "PASSERELLE_CONFIG";

/// What a file may set: one per `PASSERELLE_*` variable of the command line.
struct Setting {
    /// True for on/off flags (`secure_cookies`): only `true` or `false`.
    switch: bool,
    /// Secrets (`oidc_client_secret`, `smtp_url`…): their values are never repeated.
    secret: bool,
    /// The subcommands leading to the option, then its flag: a command line that gives this
    /// setting alone, to check a value as the server would.
    probe: Vec<String>,
}

/// A file read and checked: each key's value as a flag would take it.
#[derive(Debug, Default)]
pub struct ConfigFile {
    values: BTreeMap<String, String>,
    /// Said but not refused (a file others may read).
    pub warnings: Vec<String>,
}

/// The settings a file may hold, by key, found in the command line's definition itself (a
/// new option with a variable is a new key, with nothing to keep in step).
fn settings(command: &Command) -> BTreeMap<String, Setting> {
    let mut found = BTreeMap::new();
    collect(command, &mut Vec::new(), &mut found);
    found
}

fn collect(command: &Command, path: &mut Vec<String>, found: &mut BTreeMap<String, Setting>) {
    for arg in command.get_arguments() {
        let Some(variable) = arg.get_env().and_then(|v| v.to_str()) else {
            continue;
        };
        let Some(name) = variable.strip_prefix(PREFIX) else {
            continue;
        };
        if variable == CONFIG_VARIABLE || found.contains_key(&name.to_ascii_lowercase()) {
            continue;
        }
        let Some(long) = arg.get_long() else { continue };
        let mut probe = vec!["passerelle".to_string()];
        probe.extend(path.iter().cloned());
        probe.push(format!("--{long}"));
        found.insert(
            name.to_ascii_lowercase(),
            Setting {
                switch: matches!(arg.get_action(), ArgAction::SetTrue | ArgAction::SetFalse),
                secret: arg.is_hide_env_values_set(),
                probe,
            },
        );
    }
    for sub in command.get_subcommands() {
        path.push(sub.get_name().to_string());
        collect(sub, path, found);
        path.pop();
    }
}

/// The file named by `--config FILE`, `--config=FILE` or PASSERELLE_CONFIG, read before the
/// command line is parsed (its values are the flags' defaults).
pub fn path_in(args: &[OsString]) -> Option<PathBuf> {
    let mut args = args.iter().skip(1);
    while let Some(arg) = args.next() {
        let text = arg.to_string_lossy();
        if text == "--" {
            break;
        }
        if text == "--config" {
            return args.next().map(PathBuf::from);
        }
        if let Some(path) = text.strip_prefix("--config=") {
            return Some(PathBuf::from(path));
        }
    }
    std::env::var_os(CONFIG_VARIABLE)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// Reads and checks `path` against the command line's settings; every problem, each naming
/// its line and key, or the values.
pub fn load(path: &Path, command: &Command) -> Result<ConfigFile, Vec<String>> {
    let text = std::fs::read_to_string(path).map_err(|error| {
        vec![format!(
            "fichier de configuration « {} » illisible : {}",
            path.display(),
            crate::config::io_error_fr(&error)
        )]
    })?;
    let mut file = check(&text, command)?;
    if let Some(mode) = others_can_read(path) {
        file.warnings.push(format!(
            "le fichier de configuration « {} » est lisible par tous (mode {mode:04o}) alors \
             qu'il peut contenir des secrets : chmod 0640",
            path.display()
        ));
    }
    Ok(file)
}

#[cfg(unix)]
fn others_can_read(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
    (mode & 0o004 != 0).then_some(mode)
}

#[cfg(not(unix))]
fn others_can_read(_: &Path) -> Option<u32> {
    None
}

/// Checks a file's text: TOML, known keys, values of the right kind that the option accepts,
/// and the settings that go together.
pub fn check(text: &str, command: &Command) -> Result<ConfigFile, Vec<String>> {
    let settings = settings(command);
    let table: BTreeMap<Spanned<String>, Spanned<toml::Value>> = match toml::from_str(text) {
        Ok(table) => table,
        Err(error) => {
            let place = error
                .span()
                .map(|span| format!("ligne {} : ", line_at(text, span.start)))
                .unwrap_or_default();
            let detail: Vec<&str> = error.message().lines().map(str::trim).collect();
            return Err(vec![format!(
                "{place}ce n'est pas du TOML valide ({})",
                detail.join(" ; ")
            )]);
        }
    };
    let mut problems: Vec<(usize, String)> = Vec::new();
    let mut values = BTreeMap::new();
    let mut lines = BTreeMap::new();
    for (key, value) in &table {
        let line = line_at(text, key.span().start);
        let name = key.get_ref();
        lines.insert(name.clone(), line);
        let Some(setting) = settings.get(name) else {
            if value.get_ref().is_table() {
                problems.push((
                    line,
                    format!(
                        "ligne {line} : section [{name}] inconnue — les clés s'écrivent à plat, \
                         sans section (par exemple {name}_… = \"…\")"
                    ),
                ));
                continue;
            }
            let hint = nearest(name, settings.keys())
                .map(|k| format!(" — vouliez-vous écrire « {k} » ?"))
                .unwrap_or_default();
            problems.push((
                line,
                format!("ligne {line} : clé « {name} » inconnue{hint}"),
            ));
            continue;
        };
        match value_text(name, setting, value.get_ref()) {
            Ok(text) => match accepted(command, setting, &text) {
                Ok(()) => {
                    values.insert(name.clone(), text);
                }
                Err(reason) => {
                    let shown = if setting.secret {
                        String::new()
                    } else {
                        format!(" « {text} »")
                    };
                    problems.push((
                        line,
                        format!("ligne {line}, clé « {name} » : valeur{shown} refusée ({reason})"),
                    ));
                }
            },
            Err(reason) => {
                problems.push((line, format!("ligne {line}, clé « {name} » : {reason}")))
            }
        }
    }
    together(&values, &lines, &mut problems);
    // In the order of the file, as its reader fixes them.
    problems.sort_by_key(|(line, _)| *line);
    let problems: Vec<String> = problems.into_iter().map(|(_, p)| p).collect();
    if problems.is_empty() {
        Ok(ConfigFile {
            values,
            warnings: Vec::new(),
        })
    } else {
        Err(problems)
    }
}

/// A TOML value as the flag's text: on/off flags take booleans, the others text or integers.
fn value_text(name: &str, setting: &Setting, value: &toml::Value) -> Result<String, String> {
    use toml::Value;
    match (value, setting.switch) {
        (Value::Boolean(on), true) => Ok(on.to_string()),
        (_, true) => Err(format!("true ou false attendu ({name} = true)")),
        (Value::String(text), false) => Ok(text.clone()),
        (Value::Integer(number), false) => Ok(number.to_string()),
        (Value::Table(_), false) => Err(format!(
            "une valeur simple est attendue, pas une table : les clés s'écrivent à plat, \
             sans section (par exemple {name} = \"…\")"
        )),
        (Value::Boolean(_), false) => {
            Err("un texte ou un nombre est attendu, pas true ou false".into())
        }
        (_, false) => Err("un texte entre guillemets ou un nombre entier est attendu".into()),
    }
}

/// Whether the option takes this value: the command line is parsed with it alone, so the
/// check is the server's own.
fn accepted(command: &Command, setting: &Setting, text: &str) -> Result<(), String> {
    let mut probe = setting.probe.clone();
    if !setting.switch {
        // `--flag=value`: a value starting with '-' is still taken as a value.
        if let Some(flag) = probe.last_mut() {
            flag.push('=');
            flag.push_str(text);
        }
    }
    match command.clone().try_get_matches_from(&probe) {
        Ok(_) => Ok(()),
        Err(error) => match error.kind() {
            ErrorKind::InvalidValue | ErrorKind::ValueValidation | ErrorKind::InvalidUtf8 => {
                Err(reason_fr(&error))
            }
            // Another option missing or in conflict in this one-option probe says nothing
            // about this value.
            _ => Ok(()),
        },
    }
}

/// The parser's reason, in French for the standard ones (the project's own are French).
fn reason_fr(error: &clap::Error) -> String {
    let inner = std::error::Error::source(error)
        .map(|e| e.to_string())
        .unwrap_or_default();
    let known = [
        ("invalid digit", "un nombre entier positif est attendu"),
        ("too large", "nombre trop grand"),
        ("too small", "nombre trop petit"),
        ("is not in", "nombre hors des bornes permises"),
        ("cannot parse integer from empty string", "nombre attendu"),
        (
            "invalid socket address",
            "adresse et port attendus, par exemple 127.0.0.1:8080",
        ),
    ];
    if let Some((_, french)) = known.iter().find(|(english, _)| inner.contains(english)) {
        return (*french).to_string();
    }
    if !inner.is_empty() {
        return inner;
    }
    if let Some(clap::error::ContextValue::Strings(values)) =
        error.get(clap::error::ContextKind::ValidValue)
    {
        return format!("valeurs possibles : {}", values.join(", "));
    }
    "valeur non reconnue".into()
}

/// Settings that only make sense together, as the flags enforce them.
fn together(
    values: &BTreeMap<String, String>,
    lines: &BTreeMap<String, usize>,
    problems: &mut Vec<(usize, String)>,
) {
    let oidc = ["oidc_issuer", "oidc_client_id", "oidc_client_secret"];
    let given: Vec<&str> = oidc
        .iter()
        .copied()
        .filter(|k| values.contains_key(*k))
        .collect();
    if !given.is_empty() && given.len() < oidc.len() {
        let missing: Vec<&str> = oidc
            .iter()
            .copied()
            .filter(|k| !given.contains(k))
            .collect();
        let line = lines[given[0]];
        problems.push((
            line,
            format!(
                "ligne {line}, clé « {} » : ProConnect demande aussi {}",
                given[0],
                missing
                    .iter()
                    .map(|k| format!("« {k} »"))
                    .collect::<Vec<_>>()
                    .join(" et ")
            ),
        ));
    }
    if values.contains_key("smtp_url") && values.contains_key("mail_dir") {
        let line = lines["mail_dir"];
        problems.push((line, format!(
            "ligne {line}, clé « mail_dir » : « smtp_url » et « mail_dir » s'excluent (envoyer, \
             ou écrire les courriels dans un dossier)"
        )));
    }
}

/// The 1-based line of a byte offset.
fn line_at(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The known key a typo most likely meant (at most two edits away).
fn nearest<'a>(name: &str, keys: impl Iterator<Item = &'a String>) -> Option<&'a String> {
    keys.map(|k| (edits(name, k), k))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn edits(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

impl ConfigFile {
    /// The keys set, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.values.keys()
    }

    /// The command line with the file's values as defaults, wherever their variable is read.
    pub fn apply(&self, command: Command) -> Command {
        apply_to(command, &self.values)
    }
}

fn apply_to(command: Command, values: &BTreeMap<String, String>) -> Command {
    command
        .mut_args(|arg| default_from(arg, values))
        .mut_subcommands(|sub| apply_to(sub, values))
}

fn default_from(arg: Arg, values: &BTreeMap<String, String>) -> Arg {
    let key = arg
        .get_env()
        .and_then(|v| v.to_str())
        .filter(|v| *v != CONFIG_VARIABLE)
        .and_then(|v| v.strip_prefix(PREFIX))
        .map(str::to_ascii_lowercase);
    let Some(value) = key.and_then(|k| values.get(&k)) else {
        return arg;
    };
    let secret = arg.is_hide_env_values_set();
    // Read once at start: leaking these few strings is what gives clap its 'static defaults.
    let value: &'static str = Box::leak(value.clone().into_boxed_str());
    arg.default_value(value)
        .required(false)
        .hide_default_value(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_typos() {
        assert_eq!(line_at("a\nb\nc", 0), 1);
        assert_eq!(line_at("a\nb\nc", 2), 2);
        assert_eq!(line_at("a\nb\nc", 4), 3);
        assert_eq!(edits("listne", "listen"), 2);
        assert_eq!(edits("", "abc"), 3);
        assert_eq!(edits("kitten", "sitting"), 3);
    }
}
