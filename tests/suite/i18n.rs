//! Every visible string exists in both languages: the locale files have the same keys, and every
//! translation key written in the source is in them.

use std::collections::BTreeSet;
use std::path::Path;

fn flatten(prefix: &str, v: &serde_yaml::Value, out: &mut BTreeSet<String>) {
    match v {
        serde_yaml::Value::Mapping(m) => {
            for (k, v) in m {
                let k = k.as_str().expect("string keys");
                let key = if prefix.is_empty() { k.to_string() } else { format!("{prefix}.{k}") };
                flatten(&key, v, out);
            }
        }
        serde_yaml::Value::String(s) => {
            assert!(!s.trim().is_empty(), "{prefix} is empty");
            out.insert(prefix.to_string());
        }
        other => panic!("{prefix}: unexpected value {other:?}"),
    }
}

fn keys(file: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(file).unwrap();
    let mut out = BTreeSet::new();
    flatten("", &serde_yaml::from_str(&text).unwrap(), &mut out);
    out
}

/// String literals in the source that look like translation keys ("users.save").
fn source_keys(dir: &Path, prefixes: &BTreeSet<String>, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            source_keys(&path, prefixes, out);
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for literal in text.split('"').skip(1).step_by(2) {
            let looks_like_key = literal.contains('.')
                && literal.chars().all(|c| c.is_ascii_lowercase() || c == '_' || c == '.')
                && prefixes.contains(literal.split('.').next().unwrap());
            if looks_like_key {
                out.insert(literal.to_string());
            }
        }
        // Field names of validation errors are shown as `field.<name>`.
        for part in text.split("validation(\"").skip(1) {
            out.insert(format!("field.{}", part.split('"').next().unwrap()));
        }
    }
}

#[test]
fn both_locales_have_the_same_keys() {
    let en = keys("locales/en.yml");
    let zh = keys("locales/zh-CN.yml");
    let only_en: Vec<_> = en.difference(&zh).collect();
    let only_zh: Vec<_> = zh.difference(&en).collect();
    assert!(only_en.is_empty() && only_zh.is_empty(), "only en: {only_en:?}; only zh-CN: {only_zh:?}");
}

#[test]
fn every_key_in_the_source_is_translated() {
    let en = keys("locales/en.yml");
    let prefixes: BTreeSet<String> = en.iter().map(|k| k.split('.').next().unwrap().to_string()).collect();
    let mut used = BTreeSet::new();
    source_keys(Path::new("src"), &prefixes, &mut used);
    assert!(used.len() > 50, "the scan found only {} keys", used.len());
    let missing: Vec<_> = used.difference(&en).collect();
    assert!(missing.is_empty(), "keys used in src but missing from locales: {missing:?}");
}

#[test]
fn every_error_message_reads_as_a_sentence() {
    // A message either is a sentence of its own (a capital first) or says what is wrong with its
    // field and follows the field's name ("Email is not a valid email address."): never
    // "Email: you cannot ...".
    let text = std::fs::read_to_string("locales/en.yml").unwrap();
    let yaml: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let verbs = [
        "is ",
        "are ",
        "must ",
        "has ",
        "have ",
        "contains ",
        "needs ",
        "need ",
        "may ",
        "names ",
        "belongs ",
        "could ",
        "holds ",
        "mixes ",
        "passed ",
        "can ",
        "asks ",
        "does ",
        "opens ",
    ];
    let mut odd = Vec::new();
    for (k, v) in yaml["error"].as_mapping().unwrap() {
        let (k, v) = (k.as_str().unwrap(), v.as_str().unwrap_or_default());
        let first = v.chars().next().unwrap_or(' ');
        if first.is_lowercase() && !verbs.iter().any(|verb| v.starts_with(verb)) {
            odd.push(format!("{k}: {v}"));
        }
    }
    assert!(odd.is_empty(), "messages that are neither a sentence nor a field's predicate: {odd:#?}");
}
