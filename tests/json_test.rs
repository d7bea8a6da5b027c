//! `--json`: the schema in docs/trace.schema.json is generated from syscalls.toml (its
//! per-syscall part) and checked against `interpose::SYSCALLS`; every line of real traces
//! parses and validates against it; arguments carry their table names; the traced program's
//! output and exit status are those of a native run; and in one run observed by both the
//! JSON and the text sink, the JSON has one object per syscall line of the text, in the same
//! order, with the same result.

mod common;

use common::{Line, TIMEOUT, compile_c, have, join_resumed, run, scratch_dir};
use interpose::output::json::JsonLines;
use interpose::output::text::StraceText;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

const SCHEMA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/trace.schema.json");
const TABLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/syscalls.toml");
const DOC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/JSON.md");

// ---- the schema and the table ----

/// The schema's generated `$defs`: `call` (per syscall: name, number, arguments by name and
/// kind) and `set_NAME` (per named set: the names its values can have).
fn generated_defs() -> Vec<(String, Value)> {
    let text = std::fs::read_to_string(TABLE).unwrap();
    let table: toml::Table = toml::from_str(&text).unwrap();
    let entries = table["syscall"].as_array().unwrap();
    assert_eq!(
        entries.len(),
        interpose::SYSCALLS.len(),
        "syscalls in the table"
    );
    let mut alternatives = Vec::new();
    for (entry, info) in entries.iter().zip(interpose::SYSCALLS) {
        let name = entry["name"].as_str().unwrap();
        assert_eq!(
            name, info.name,
            "syscalls.toml and interpose::SYSCALLS, in order"
        );
        assert_eq!(entry["number"].as_integer(), Some(info.number), "{name}");
        let args = entry.get("args").and_then(|a| a.as_array());
        let args = args.map_or(&[][..], |a| a.as_slice());
        assert_eq!(args.len(), info.args.len(), "{name}: arguments");
        let mut properties = Map::new();
        let mut required = Vec::new();
        for (arg, arg_info) in args.iter().zip(info.args) {
            let arg_name = arg["name"].as_str().unwrap();
            assert_eq!(arg_name, arg_info.name, "{name}: argument names");
            let by_family = interpose::decode::family_args().any(|f| f == (name, arg_name));
            let def = match arg["kind"].as_str().unwrap() {
                // Its meaning depends on another argument: any value.
                _ if by_family => "#/$defs/value".to_string(),
                "flags" | "enum" => format!("#/$defs/set_{}", arg["set"].as_str().unwrap()),
                kind => format!("#/$defs/arg_{kind}"),
            };
            properties.insert(arg_name.into(), json!({ "$ref": def }));
            // Absent: an argument strace leaves out for these flags, and what the kernel
            // fills when the call never returned.
            let conditional = arg.get("shown_if").is_some() || arg.get("hidden_if").is_some();
            if !conditional && !arg_info.at_exit && !by_family {
                required.push(arg_name);
            }
        }
        alternatives.push(json!({"properties": {
            "name": {"const": name},
            "number": {"const": info.number},
            "args": {"properties": properties, "required": required, "additionalProperties": false},
        }}));
    }
    let names: Vec<&str> = interpose::SYSCALLS.iter().map(|s| s.name).collect();
    alternatives.push(json!({"properties": {
        "name": {"not": {"enum": names}},
        "args": {"$ref": "#/$defs/raw_args"},
    }}));
    let mut defs = vec![(
        "call".to_string(),
        json!({
            "description": "Generated from syscalls.toml: each syscall's number and arguments, by the table's names and kinds. An argument strace leaves out for the call's flags, and one the kernel fills when the call never returned, is absent. Last: a call the table does not describe.",
            "anyOf": alternatives,
        }),
    )];
    for (set_name, set) in table["sets"].as_table().unwrap() {
        let name_of = |v: &toml::Value| match v {
            toml::Value::String(s) => s.clone(),
            other => other["name"].as_str().unwrap().to_string(),
        };
        let field = set
            .get("field")
            .map(|f| f["values"].as_array().unwrap().iter());
        let mut names: Vec<Value> = field
            .into_iter()
            .flatten()
            .chain(set["values"].as_array().unwrap())
            .map(|v| Value::String(name_of(v)))
            .collect();
        names.extend(set.get("zero").map(|z| Value::String(name_of(z))));
        let def = if set["type"].as_str() == Some("enum") {
            names.push(Value::Null);
            json!({"allOf": [{"$ref": "#/$defs/enum"}], "properties": {"name": {"enum": names}}})
        } else {
            json!({"allOf": [{"$ref": "#/$defs/flags"}], "properties": {"names": {"items": {"enum": names}}}})
        };
        defs.push((format!("set_{set_name}"), def));
    }
    defs
}

/// The schema file as it must read: its hand-written part, then the generated `$defs`.
fn expected_schema(file: &str) -> String {
    let mut schema: Value = serde_json::from_str(file).expect("docs/trace.schema.json parses");
    let defs = schema["$defs"].as_object_mut().unwrap();
    defs.retain(|name, _| name != "call" && !name.starts_with("set_"));
    defs.extend(generated_defs());
    let mut out = String::new();
    format_json(&schema, 0, &mut out);
    out.push('\n');
    out
}

/// Pretty JSON that keeps the generated part short: nested values on one line when they
/// fit in 100 columns, and always from depth 4 on (one line per syscall).
fn format_json(value: &Value, depth: usize, out: &mut String) {
    let compact = compact_json(value);
    let scalar = !matches!(value, Value::Array(_) | Value::Object(_));
    if scalar || depth >= 4 || (depth > 0 && compact.len() + 2 * depth <= 100) {
        out.push_str(&compact);
        return;
    }
    let pad = "  ".repeat(depth + 1);
    let (open, close) = if value.is_array() {
        ('[', ']')
    } else {
        ('{', '}')
    };
    out.push(open);
    let items: Vec<(Option<&String>, &Value)> = match value {
        Value::Array(items) => items.iter().map(|v| (None, v)).collect(),
        Value::Object(map) => map.iter().map(|(k, v)| (Some(k), v)).collect(),
        _ => unreachable!(),
    };
    for (i, (key, item)) in items.iter().enumerate() {
        out.push_str(if i == 0 { "\n" } else { ",\n" });
        out.push_str(&pad);
        if let Some(key) = key {
            out.push_str(&serde_json::to_string(key).unwrap());
            out.push_str(": ");
        }
        format_json(item, depth + 1, out);
    }
    out.push('\n');
    out.push_str(&"  ".repeat(depth));
    out.push(close);
}

fn compact_json(value: &Value) -> String {
    match value {
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(compact_json).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(map) => {
            let fields: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", serde_json::to_string(k).unwrap(), compact_json(v)))
                .collect();
            format!("{{{}}}", fields.join(", "))
        }
        scalar => serde_json::to_string(scalar).unwrap(),
    }
}

#[test]
fn schema_is_generated_from_the_table() {
    let file = std::fs::read_to_string(SCHEMA).unwrap();
    let expected = expected_schema(&file);
    if std::env::var_os("INTERPOSE_BLESS").is_some() {
        std::fs::write(SCHEMA, &expected).unwrap();
        return;
    }
    if file != expected {
        let line = file.lines().zip(expected.lines()).position(|(a, b)| a != b);
        panic!(
            "docs/trace.schema.json does not match syscalls.toml (first difference at line {}); \
             run `INTERPOSE_BLESS=1 cargo test --test json_test schema_is_generated`",
            line.map_or(file.lines().count().min(expected.lines().count()), |l| l
                + 1)
        );
    }
    // Every reference resolves, and the page describes every event type.
    let schema: Value = serde_json::from_str(&file).unwrap();
    check_refs(&schema, &schema);
    let doc = std::fs::read_to_string(DOC).unwrap();
    for event in schema["oneOf"].as_array().unwrap() {
        let name = event["$ref"]
            .as_str()
            .unwrap()
            .trim_start_matches("#/$defs/");
        assert!(
            doc.contains(&format!("`\"{name}\"`")),
            "docs/JSON.md does not describe {name}"
        );
    }
}

fn check_refs(root: &Value, value: &Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref") {
                resolve(root, target);
            }
            map.values().for_each(|v| check_refs(root, v));
        }
        Value::Array(items) => items.iter().for_each(|v| check_refs(root, v)),
        _ => {}
    }
}

fn resolve<'a>(root: &'a Value, target: &str) -> &'a Value {
    let pointer = target
        .strip_prefix('#')
        .expect("only references inside the schema");
    root.pointer(pointer)
        .unwrap_or_else(|| panic!("unresolved $ref {target}"))
}

// ---- a validator for the subset of JSON Schema the schema uses ----

/// Validates `data` against `schema`; the error names the path and what failed. A keyword
/// it does not know fails the test, so the schema cannot use one that goes unchecked.
fn validate(root: &Value, schema: &Value, data: &Value, at: &str) -> Result<(), String> {
    let schema = match schema {
        Value::Bool(true) => return Ok(()),
        Value::Bool(false) => return Err(format!("{at}: must be absent")),
        Value::Object(map) => map,
        other => panic!("schema at {at} is {other}"),
    };
    let fail = |what: String| Err(format!("{at}: {what}, got {}", compact_json(data)));
    for (keyword, arg) in schema {
        match keyword.as_str() {
            "$ref" => validate(root, resolve(root, arg.as_str().unwrap()), data, at)?,
            "type" => {
                let types: Vec<&str> = match arg {
                    Value::String(t) => vec![t.as_str()],
                    other => other
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|t| t.as_str().unwrap())
                        .collect(),
                };
                if !types.iter().any(|t| is_type(data, t)) {
                    return fail(format!("expected {types:?}"));
                }
            }
            "const" if data != arg => return fail(format!("expected {arg}")),
            "enum" if !arg.as_array().unwrap().contains(data) => {
                return fail("not one of the listed values".into());
            }
            "const" | "enum" => {}
            "properties" => {
                let (Some(object), Some(properties)) = (data.as_object(), arg.as_object()) else {
                    continue;
                };
                for (name, sub) in properties {
                    if let Some(value) = object.get(name) {
                        validate(root, sub, value, &format!("{at}.{name}"))?;
                    }
                }
            }
            "required" => {
                if let Some(object) = data.as_object() {
                    for name in arg.as_array().unwrap() {
                        if !object.contains_key(name.as_str().unwrap()) {
                            return fail(format!("missing {name}"));
                        }
                    }
                }
            }
            "additionalProperties" => {
                let Some(object) = data.as_object() else {
                    continue;
                };
                let known = schema.get("properties").and_then(Value::as_object);
                for (name, value) in object {
                    if !known.is_some_and(|k| k.contains_key(name)) {
                        validate(root, arg, value, &format!("{at}.{name}"))?;
                    }
                }
            }
            "items" => {
                for (i, item) in data.as_array().into_iter().flatten().enumerate() {
                    validate(root, arg, item, &format!("{at}[{i}]"))?;
                }
            }
            "allOf" => {
                for sub in arg.as_array().unwrap() {
                    validate(root, sub, data, at)?;
                }
            }
            "anyOf" | "oneOf" => {
                let results: Vec<Result<(), String>> = arg
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|sub| validate(root, sub, data, at))
                    .collect();
                let matched = results.iter().filter(|r| r.is_ok()).count();
                if matched == 0 {
                    // The alternative that got furthest tells most.
                    let deepest = results
                        .into_iter()
                        .filter_map(Result::err)
                        .max_by_key(|e| e.split_once(": ").map_or(0, |(path, _)| path.len()));
                    return Err(deepest.unwrap_or_else(|| format!("{at}: empty {keyword}")));
                }
                if keyword == "oneOf" && matched > 1 {
                    return fail(format!("{matched} alternatives of oneOf match"));
                }
            }
            "not" if validate(root, arg, data, at).is_ok() => {
                return fail(format!("must not match {}", compact_json(arg)));
            }
            "minimum" | "maximum" => {
                let (Some(value), Some(bound)) = (data.as_f64(), arg.as_f64()) else {
                    continue;
                };
                if (keyword == "minimum" && value < bound)
                    || (keyword == "maximum" && value > bound)
                {
                    return fail(format!("{keyword} {bound}"));
                }
            }
            "not" | "$schema" | "$id" | "$comment" | "$defs" | "title" | "description"
            | "contentEncoding" => {}
            other => panic!("the test's validator does not support `{other}` (at {at})"),
        }
    }
    Ok(())
}

fn is_type(data: &Value, name: &str) -> bool {
    match name {
        "integer" => data.is_i64() || data.is_u64(),
        "number" => data.is_number(),
        "string" => data.is_string(),
        "null" => data.is_null(),
        "boolean" => data.is_boolean(),
        "object" => data.is_object(),
        "array" => data.is_array(),
        other => panic!("unknown type {other}"),
    }
}

fn schema() -> Value {
    serde_json::from_str(&std::fs::read_to_string(SCHEMA).unwrap()).unwrap()
}

/// Parses every line of a JSON trace and validates it against the schema.
fn parse_and_validate(trace: &str, what: &str) -> Vec<Value> {
    let schema = schema();
    assert!(!trace.is_empty(), "{what}: empty JSON trace");
    trace
        .lines()
        .enumerate()
        .map(|(n, line)| {
            let event: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{what}: line {} does not parse: {e}\n{line}", n + 1));
            if let Err(error) = validate(&schema, &schema, &event, "$") {
                panic!("{what}: line {} does not validate: {error}\n{line}", n + 1);
            }
            event
        })
        .collect()
}

#[test]
fn the_validator_refuses_what_the_schema_does_not_promise() {
    let schema = schema();
    let ok = json!({"type": "syscall", "time": 1.5, "pid": 7, "tid": 7, "name": "openat",
        "number": 257, "args": {"dirfd": "AT_FDCWD", "pathname": "/x",
        "flags": {"raw": 0, "names": ["O_RDONLY"]}}, "ret": -2, "errno": "ENOENT",
        "error": "No such file or directory", "duration": 0.000003});
    validate(&schema, &schema, &ok, "$").unwrap();
    let broken = |path: &str, value: Value| {
        let mut event = ok.clone();
        *event.pointer_mut(path).unwrap() = value;
        event
    };
    let bad = [
        broken(
            "/args",
            json!({"dirfd": "AT_FDCWD", "path": "/x", "flags": {"raw": 0, "names": []}}),
        ),
        broken("/args/flags/names", json!(["O_NOT_A_FLAG"])),
        broken("/args/dirfd", json!("AT_FDCWDX")),
        broken("/number", json!(2)),
        broken("/errno", json!(null))
            .as_object()
            .map(|o| {
                let mut o = o.clone();
                o.remove("errno");
                Value::Object(o)
            })
            .unwrap(),
        broken("/ret", json!(null)),
        broken("/type", json!("syscal")),
    ];
    for event in bad {
        assert!(
            validate(&schema, &schema, &event, "$").is_err(),
            "validated: {event}"
        );
    }
}

// ---- real programs ----

/// A program traced three ways: natively, by `interpose --json -o FILE`, and in-process
/// with the JSON and text sinks on the same run.
struct Traced {
    /// The events of the CLI run.
    events: Vec<Value>,
    native: common::Run,
    traced: common::Run,
}

impl Traced {
    fn calls<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.events
            .iter()
            .filter(move |e| e["type"] == "syscall" && e["name"] == name)
    }

    fn of_type<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.events.iter().filter(move |e| e["type"] == kind)
    }
}

/// Traces `program args`; the program's output (when `same_output`) and exit status must be
/// those of the native run, and every JSON line must validate.
fn trace(test: &str, program: &str, args: &[&str], same_output: bool) -> Traced {
    let dir = scratch_dir(&format!("json_{test}"));
    let native = run(program, args);
    let file = dir.join("trace.jsonl");
    let mut cli: Vec<&str> = vec!["--json", "-o", file.to_str().unwrap(), program];
    cli.extend(args);
    let traced = common::interpose(&cli);
    assert_eq!(
        traced.status.code(),
        native.status.code(),
        "{test}: exit status"
    );
    assert_eq!(
        traced.status.signal_number(),
        native.status.signal_number(),
        "{test}"
    );
    if same_output {
        assert_eq!(traced.stdout_text(), native.stdout_text(), "{test}: output");
    }
    let events = parse_and_validate(&std::fs::read_to_string(&file).unwrap(), test);
    same_run_as_text(test, program, args, &dir);
    Traced {
        events,
        native,
        traced,
    }
}

trait SignalNumber {
    fn signal_number(&self) -> Option<i32>;
}

impl SignalNumber for std::process::ExitStatus {
    fn signal_number(&self) -> Option<i32> {
        std::os::unix::process::ExitStatusExt::signal(self)
    }
}

/// One run, two sinks: the JSON has one syscall object per syscall line of the text, in the
/// same order, with the same name and result.
fn same_run_as_text(test: &str, program: &str, args: &[&str], dir: &Path) {
    let (json_path, text_path) = (dir.join("same.jsonl"), dir.join("same.txt"));
    let json_out = BufWriter::new(File::create(&json_path).unwrap());
    let text_out = BufWriter::new(File::create(&text_path).unwrap());
    let limit = interpose::DEFAULT_STRING_LIMIT;
    let outcome = interpose::Command::new(program)
        .args(args)
        .stdout(File::create(dir.join("stdout")).unwrap())
        .timeout(TIMEOUT)
        .sink(JsonLines::new(Box::new(json_out), false, limit))
        .sink(StraceText::new(Box::new(text_out), false, limit))
        .trace(interpose::Passthru)
        .expect("trace");
    assert!(!outcome.timed_out, "{test}: the traced program hung");
    let events = parse_and_validate(&std::fs::read_to_string(&json_path).unwrap(), test);
    let calls: Vec<&Value> = events.iter().filter(|e| e["type"] == "syscall").collect();
    let text = std::fs::read_to_string(&text_path).unwrap();
    // A call that ends under another tid (an execve from a thread) is not joined with its
    // start: its `<... NAME resumed>` line counts on its own.
    // Lines without a prefix are the first process's, whether or not others have one.
    let root = events[0]["pid"].as_i64().map(|pid| pid as i32);
    let lines: Vec<Line> = text.lines().map(|l| without_prefix(l, root)).collect();
    let lines = join_resumed(&lines);
    let lines: Vec<(&str, &Line)> = lines
        .iter()
        .filter_map(|l| Some((l.syscall().or_else(|| resumed_name(&l.text))?, l)))
        .collect();
    assert_eq!(
        calls.len(),
        lines.len(),
        "{test}: JSON syscall objects vs text syscall lines"
    );
    for (call, (name, line)) in calls.iter().zip(&lines) {
        assert_eq!(call["name"].as_str(), Some(*name), "{test}: {}", line.text);
        let ret = line.text.rfind(" = ").map(|at| line.text[at + 3..].trim());
        let ret = ret.unwrap_or_else(|| panic!("{test}: no result in {}", line.text));
        let same = match (&call["ret"], call.get("errno")) {
            (Value::Null, _) => ret == "?",
            (_, Some(errno)) => {
                let errno = errno.as_str().unwrap_or("");
                ret.starts_with(&format!("-1 {errno} ")) || ret.starts_with(&format!("? {errno} "))
            }
            (value, None) => {
                // A result with a meaning: `0x8002 (flags O_RDWR|O_LARGEFILE)`.
                let ret = match ret.split_once(" (") {
                    Some((number, _)) if call.get("ret_decoded").is_some() => number,
                    _ => ret,
                };
                let number = match ret.strip_prefix("0x") {
                    Some(hex) => u64::from_str_radix(hex, 16).ok().map(|v| v as i64),
                    None => ret.parse::<i64>().ok(),
                };
                number == value.as_i64()
            }
        };
        assert!(same, "{test}: JSON {call} vs text {}", line.text);
    }
}

/// `read` of `<... read resumed>...`.
fn resumed_name(text: &str) -> Option<&str> {
    text.strip_prefix("<... ")?
        .split_once(" resumed>")
        .map(|(name, _)| name)
}

/// A text line without its `[pid N] ` or `PID ` prefix; `root` for a line without one.
fn without_prefix(line: &str, root: Option<i32>) -> Line {
    if let Some(rest) = line.strip_prefix("[pid ")
        && let Some((pid, text)) = rest.split_once("] ")
    {
        return Line {
            pid: pid.trim().parse().ok(),
            text: text.to_string(),
        };
    }
    if let Some((pid, text)) = line.split_once(' ')
        && !pid.is_empty()
        && pid.bytes().all(|b| b.is_ascii_digit())
    {
        return Line {
            pid: pid.parse().ok(),
            text: text.trim_start().to_string(),
        };
    }
    Line {
        pid: root,
        text: line.to_string(),
    }
}

/// Every call `name` that returned has exactly the arguments `args` (plus `optional`).
fn assert_args(traced: &Traced, name: &str, args: &[&str], optional: &[&str]) {
    let returned: Vec<&Value> = traced.calls(name).filter(|c| c["ret"].is_i64()).collect();
    assert!(!returned.is_empty(), "no {name} call");
    for call in returned {
        let keys: Vec<&str> = call["args"]
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        let required = args.iter().all(|a| keys.contains(a));
        let known = keys
            .iter()
            .all(|k| args.contains(k) || optional.contains(k));
        assert!(required && known, "{name} has arguments {keys:?}: {call}");
    }
}

/// The last event: the traced program's own end.
fn assert_exited(traced: &Traced, code: i64) {
    let root = traced.events[0]["pid"].clone();
    let end = traced
        .of_type("exited")
        .chain(traced.of_type("killed"))
        .find(|e| e["tid"] == root)
        .expect("the program's exit");
    assert_eq!(end["type"], "exited");
    assert_eq!(end["code"], code);
}

#[test]
fn cat_of_a_file() {
    let dir = scratch_dir("json_cat_input");
    let file = dir.join("input.txt");
    std::fs::write(&file, "hello json\n").unwrap();
    let file = file.to_str().unwrap();
    let t = trace("cat", "/bin/cat", &[file], true);
    assert_eq!(t.native.stdout_text(), "hello json\n");
    assert_args(&t, "openat", &["dirfd", "pathname", "flags"], &["mode"]);
    assert_args(&t, "read", &["fd", "buf", "count"], &[]);
    let at = t
        .events
        .iter()
        .position(|e| e["name"] == "openat" && e["args"]["pathname"] == file);
    let at = at.expect("openat of the file");
    let open = &t.events[at];
    assert_eq!(open["args"]["dirfd"], "AT_FDCWD");
    assert_eq!(open["args"]["flags"]["names"][0], "O_RDONLY");
    let fd = &open["ret"];
    let mut after = t.events[at..].iter();
    let read = after.find(|c| c["name"] == "read" && &c["args"]["fd"] == fd);
    let read = read.expect("read of the file");
    assert_eq!(read["args"]["buf"], "hello json\n");
    assert_eq!(read["ret"], 11);
    let write = t
        .calls("write")
        .find(|c| c["args"]["fd"] == 1)
        .expect("write");
    assert_eq!(write["args"]["buf"], "hello json\n");
    let execve = t.calls("execve").next().expect("execve");
    let argv = &execve["args"]["argv"];
    assert_eq!(argv[0], "/bin/cat");
    let cut = &argv[1]["str"];
    assert!(
        argv[1]["truncated"] == true && file.starts_with(cut.as_str().unwrap()),
        "{argv}"
    );
    assert_eq!(execve["ret"], 0);
    let exit = t.calls("exit_group").next().expect("exit_group");
    assert_eq!(
        (&exit["ret"], &exit["unfinished"]),
        (&Value::Null, &json!("never_returned"))
    );
    assert_eq!(t.events[0]["type"], "started");
    assert!(t.of_type("exec").count() == 1);
    assert_exited(&t, 0);
}

#[test]
fn ls_la() {
    let t = trace("ls", "ls", &["-la", env!("CARGO_MANIFEST_DIR")], true);
    // Failed calls carry their errno name and description.
    let failed = t
        .events
        .iter()
        .find(|e| e["errno"].is_string())
        .expect("a failed call");
    assert!(failed["ret"].as_i64().unwrap() < 0 && failed["error"].is_string());
    let stats = t.events.iter().filter(|e| {
        ["statx", "newfstatat", "lstat", "stat"].contains(&e["name"].as_str().unwrap_or(""))
    });
    assert!(stats.count() > 3, "ls -la stats its files");
    // Every field of the struct, which the text abbreviates unless -v, as the file has it.
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let meta = std::fs::metadata(&manifest).unwrap();
    let stat = t
        .events
        .iter()
        .filter(|e| ["statx", "newfstatat", "lstat"].contains(&e["name"].as_str().unwrap_or("")))
        .find(|e| {
            e["args"]["pathname"]
                .as_str()
                .is_some_and(|p| p.ends_with("/Cargo.toml"))
        })
        .expect("ls -la stats Cargo.toml");
    let buf = stat["args"]
        .get("statxbuf")
        .or(stat["args"].get("statbuf"))
        .unwrap();
    assert!(buf.get("...").is_none(), "JSON shows every field: {buf}");
    use std::os::unix::fs::MetadataExt;
    let (ino, nlink) = match stat["name"].as_str() {
        Some("statx") => (&buf["stx_ino"], &buf["stx_nlink"]),
        _ => (&buf["st_ino"], &buf["st_nlink"]),
    };
    assert_eq!(ino.as_u64(), Some(meta.ino()), "{buf}");
    assert_eq!(nlink.as_u64(), Some(meta.nlink()), "{buf}");
    assert_exited(&t, 0);
}

#[test]
fn sh_pipeline() {
    let t = trace(
        "sh",
        "sh",
        &["-c", "printf 'b\\na\\n' | sort | wc -l"],
        true,
    );
    assert_eq!(t.native.stdout_text().trim(), "2");
    let pids: std::collections::HashSet<i64> = t
        .of_type("started")
        .map(|e| e["pid"].as_i64().unwrap())
        .collect();
    assert!(
        pids.len() >= 3,
        "sh, sort and wc (and printf's shell): {pids:?}"
    );
    assert!(t.of_type("exec").count() >= 3);
    let pipe = t
        .events
        .iter()
        .find(|e| e["name"] == "pipe2" || e["name"] == "pipe");
    let fds = &pipe.expect("a pipe")["args"]["pipefd"];
    assert!(
        fds.as_array()
            .is_some_and(|a| a.len() == 2 && a.iter().all(Value::is_i64)),
        "{fds}"
    );
    assert!(
        t.of_type("signal")
            .any(|e| e["signal"]["name"] == "SIGCHLD"
                && e["siginfo"]["si_code_name"] == "CLD_EXITED")
    );
    assert_exited(&t, 0);
}

#[test]
fn python3() {
    if !have("python3") {
        return;
    }
    let script = "import os; os.stat('/'); print('ok')";
    let t = trace("python3", "python3", &["-c", script], true);
    let stats = ["newfstatat", "stat", "statx"];
    let stat = t.events.iter().find(|e| {
        stats.contains(&e["name"].as_str().unwrap_or("")) && e["args"]["pathname"] == "/"
    });
    let stat = stat.expect("the stat of /");
    let statbuf = stat["args"]
        .as_object()
        .unwrap()
        .values()
        .find(|v| v.is_object());
    assert_eq!(
        statbuf.expect("the stat struct")["st_mode"]["type"],
        "S_IFDIR"
    );
    assert_exited(&t, 0);
}

#[test]
fn threads() {
    let dir = scratch_dir("json_threads_build");
    let Some(program) = compile_c("json_threads", &dir) else {
        return;
    };
    let t = trace("threads", program.to_str().unwrap(), &[], true);
    assert_eq!(t.native.stdout_text(), "joined 3\n");
    let pid = t.events[0]["pid"].clone();
    let threads: Vec<&Value> = t.of_type("started").filter(|e| e["tid"] != pid).collect();
    assert_eq!(threads.len(), 3, "three threads");
    assert!(
        threads.iter().all(|e| e["pid"] == pid),
        "threads belong to the process"
    );
    for n in 0..3 {
        let path = format!("/nonexistent/json-{n}");
        let open = t
            .calls("openat")
            .find(|c| c["args"]["pathname"] == path.as_str());
        let open = open.unwrap_or_else(|| panic!("openat of {path}"));
        assert_eq!(
            (&open["ret"], &open["errno"]),
            (&json!(-2), &json!("ENOENT"))
        );
        assert_eq!(open["error"], "No such file or directory");
        assert_ne!(open["tid"], pid, "opened by a thread");
    }
    let binary: Vec<&Value> = t
        .calls("write")
        .filter(|c| c["args"]["count"] == 4)
        .collect();
    assert_eq!(binary.len(), 3);
    for write in binary {
        assert_eq!(
            write["args"]["buf"]["hex"], "fffe0041",
            "bytes that are not UTF-8, exactly"
        );
        assert_eq!(write["args"]["buf"]["truncated"], false);
    }
    let long: Vec<&Value> = t
        .calls("write")
        .filter(|c| c["args"]["count"] == 100)
        .collect();
    assert_eq!(long.len(), 3);
    let cut = json!({"str": "x".repeat(interpose::DEFAULT_STRING_LIMIT), "truncated": true});
    assert!(long.iter().all(|w| w["args"]["buf"] == cut), "{}", long[0]);
    let reads = t.calls("read").filter(|c| c["args"]["count"] == 5);
    let nuls = reads.map(|r| &r["args"]["buf"]).all(|b| b == "\0\0\0\0\0");
    assert!(nuls, "NUL bytes are UTF-8: a plain string");
    assert_exited(&t, 0);
}

#[test]
fn find() {
    let dir = scratch_dir("json_find_tree");
    std::fs::create_dir_all(dir.join("a/b")).unwrap();
    for file in ["a/one.txt", "a/b/two.txt", "a/b/three.dat"] {
        std::fs::write(dir.join(file), "x").unwrap();
    }
    let root = dir.to_str().unwrap();
    let t = trace("find", "find", &[root, "-name", "*.txt"], true);
    assert_eq!(t.native.stdout_text().lines().count(), 2);
    assert_args(&t, "getdents64", &["fd", "dirp", "count"], &[]);
    assert_exited(&t, 0);
}

#[test]
fn signal_caught() {
    let dir = scratch_dir("json_signal_build");
    let Some(program) = compile_c("sig_segv", &dir) else {
        return;
    };
    let t = trace("signal", program.to_str().unwrap(), &[], true);
    let signal = t.of_type("signal").next().expect("the SIGSEGV");
    assert_eq!(signal["signal"], json!({"raw": 11, "name": "SIGSEGV"}));
    assert_eq!(signal["siginfo"]["si_code_name"], "SEGV_MAPERR");
    assert_eq!(signal["siginfo"]["si_addr"], 0);
    let action = t
        .calls("rt_sigaction")
        .find(|c| c["args"]["signum"]["name"] == "SIGSEGV");
    let action = action.expect("rt_sigaction(SIGSEGV)");
    assert!(action["args"]["act"]["sa_handler"].is_u64(), "{action}");
    assert_exited(&t, 0);
}

#[test]
fn killed_by_a_signal() {
    let t = trace("killed", "sh", &["-c", "kill -TERM $$"], true);
    assert_eq!(t.traced.status.signal_number(), Some(libc::SIGTERM));
    let killed = t.of_type("killed").next().expect("killed");
    assert_eq!(killed["signal"]["name"], "SIGTERM");
    assert_eq!(killed["core_dumped"], false);
    let kill = t.calls("kill").next().expect("kill");
    assert_eq!(kill["args"]["sig"]["name"], "SIGTERM");
}

#[test]
fn exec_from_a_thread() {
    let dir = scratch_dir("json_exec_thread_build");
    let Some(program) = compile_c("exec_from_thread", &dir) else {
        return;
    };
    let t = trace("exec_thread", program.to_str().unwrap(), &[], false);
    let outputs: Vec<String> = [&t.native, &t.traced]
        .iter()
        .map(|r| {
            r.stdout_text()
                .split_whitespace()
                .filter(|w| !w.bytes().all(|b| b.is_ascii_digit()))
                .collect()
        })
        .collect();
    assert_eq!(outputs[0], outputs[1], "the same output but for pids");
    // Entered by the thread, ended under the leader's id: decoded at entry all the same.
    let execs: Vec<&Value> = t.calls("execve").collect();
    let from_thread = execs.iter().find(|c| c["args"]["pathname"] == "/bin/echo");
    assert_eq!(from_thread.expect("the thread's execve")["ret"], 0);
    let exec = t
        .of_type("exec")
        .find(|e| e["former"] != e["tid"])
        .expect("exec from a thread");
    assert_eq!(exec["pid"], exec["tid"]);
}

#[test]
fn a_process_without_threads_ends_every_call() {
    // Counts per syscall name agree between the CLI's JSON and its text for a
    // deterministic program: a second, independent cross-check of the sink.
    let dir = scratch_dir("json_counts");
    let (json, text) = (dir.join("t.jsonl"), dir.join("t.txt"));
    let args = ["-o", text.to_str().unwrap(), "/bin/cat", TABLE];
    assert!(common::interpose(&args).status.success());
    let args = ["--json", "-o", json.to_str().unwrap(), "/bin/cat", TABLE];
    assert!(common::interpose(&args).status.success());
    let mut counts: HashMap<String, i64> = HashMap::new();
    for line in std::fs::read_to_string(&text).unwrap().lines() {
        let line = without_prefix(line, None);
        if let Some(name) = line.syscall() {
            *counts.entry(name.to_string()).or_default() += 1;
        }
    }
    for event in parse_and_validate(&std::fs::read_to_string(&json).unwrap(), "counts") {
        if event["type"] == "syscall" {
            *counts
                .entry(event["name"].as_str().unwrap().to_string())
                .or_default() -= 1;
        }
    }
    counts.retain(|_, n| *n != 0);
    assert!(
        counts.is_empty(),
        "text minus JSON, per syscall: {counts:?}"
    );
}

/// Every decoder family's values (`runtime/src/decode/`, decode_test's program) validate
/// against the schema: arguments a family decodes, results with a meaning.
#[test]
fn decoder_families_validate() {
    if !have("cc") {
        return;
    }
    let dir = scratch_dir("json_decoder_families");
    let Some(program) = compile_c("decode_calls", &dir) else {
        return;
    };
    let families = [
        "fcntl", "clone", "stat", "time", "signal", "sched", "resource", "wait", "futex", "prctl",
        "mount", "memory", "io_uring", "bpf", "ioctl", "select",
    ];
    let mut decoded = 0;
    for family in families {
        let file = dir.join(format!("{family}.jsonl"));
        let status = std::process::Command::new(common::interpose_bin())
            .args(["--json", "--timeout", &TIMEOUT.as_secs().to_string(), "-o"])
            .arg(&file)
            .arg(&program)
            .arg(family)
            .current_dir(&dir)
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "{family}: {status}");
        let events = parse_and_validate(&std::fs::read_to_string(&file).unwrap(), family);
        decoded += events
            .iter()
            .filter(|e| e.get("ret_decoded").is_some())
            .count();
    }
    assert!(decoded > 0, "no result with a meaning in any family");
}

#[test]
fn descriptors_with_y_are_objects_that_validate() {
    let dir = scratch_dir("json_fds");
    let json = dir.join("t.jsonl");
    let args = [
        "--json",
        "-yy",
        "-o",
        json.to_str().unwrap(),
        "cat",
        "/dev/null",
        "/etc/hostname",
    ];
    let traced = common::interpose(&args);
    assert!(traced.status.success(), "{}", traced.stderr);
    let events = parse_and_validate(&std::fs::read_to_string(&json).unwrap(), "fds");
    let hostname = std::fs::canonicalize("/etc/hostname").unwrap();
    let hostname = hostname.to_str().unwrap();
    let open = events
        .iter()
        .find(|e| e["name"] == "openat" && e["args"]["pathname"] == "/etc/hostname")
        .expect("openat of /etc/hostname");
    let cwd = std::env::current_dir().unwrap();
    assert_eq!(
        open["args"]["dirfd"],
        json!({"fd": "AT_FDCWD", "path": cwd.to_str().unwrap()})
    );
    assert_eq!(open["ret"], 3);
    assert_eq!(open["ret_fd"], json!({"fd": 3, "path": hostname}));
    let read = events
        .iter()
        .find(|e| e["name"] == "read" && e["args"]["fd"]["path"] == hostname)
        .expect("read of /etc/hostname");
    assert_eq!(read["args"]["fd"]["fd"], 3);
    let null = events
        .iter()
        .find(|e| e["name"] == "openat" && e["args"]["pathname"] == "/dev/null")
        .expect("openat of /dev/null");
    assert_eq!(
        null["ret_fd"],
        json!({"fd": 3, "path": "/dev/null", "device": {"type": "char", "major": 1, "minor": 3}})
    );
}
