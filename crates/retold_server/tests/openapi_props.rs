//! Property test of the API against its OpenAPI document (in the spirit of schemathesis):
//! random requests for every documented operation — schema-shaped bodies, arbitrary JSON,
//! bytes that are not JSON, odd ids and query strings, wrong methods, oversized bodies — and
//! every response must have a status the document lists for that operation, a body valid
//! against the schema documented for that status, never a 500, and come back in time.

use axum::body::Body;
use axum::http::Request;
use proptest::prelude::*;
use retold_server::{router, AppState, Limits, OPENAPI};
use serde_json::{json, Value};
use std::time::Duration;
use tower::ServiceExt;

const PARAGRAPH: &str = "The city council voted on Tuesday to close the old harbour bridge for repairs that are expected to last two years. Engineers found corrosion in the steel supports during an inspection last spring. Commuters will be directed to a ferry service that will run every twenty minutes during the day.";

fn spec() -> Value {
    serde_json::from_str(OPENAPI).expect("openapi.json is JSON")
}

/// A small validator for the JSON Schema keywords the document uses.
fn validate(root: &Value, schema: &Value, v: &Value, at: &str) -> Result<(), String> {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r
            .strip_prefix("#/components/schemas/")
            .ok_or(format!("bad $ref {r}"))?;
        let target = &root["components"]["schemas"][name];
        if target.is_null() {
            return Err(format!("unresolved $ref {r}"));
        }
        return validate(root, target, v, at);
    }
    if let Some(alts) = schema.get("oneOf").and_then(Value::as_array) {
        let ok = alts
            .iter()
            .filter(|s| validate(root, s, v, at).is_ok())
            .count();
        return if ok == 1 {
            Ok(())
        } else {
            Err(format!("{at}: {ok} oneOf branches match"))
        };
    }
    if let Some(t) = schema.get("type") {
        let types: Vec<&str> = match t {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => return Err(format!("{at}: bad type keyword")),
        };
        let is = |t: &str| match t {
            "object" => v.is_object(),
            "array" => v.is_array(),
            "string" => v.is_string(),
            "integer" => v.is_i64() || v.is_u64(),
            "number" => v.is_number(),
            "boolean" => v.is_boolean(),
            "null" => v.is_null(),
            _ => false,
        };
        if !types.iter().any(|t| is(t)) {
            return Err(format!("{at}: {v} is not {types:?}"));
        }
    }
    if let Some(e) = schema.get("enum").and_then(Value::as_array) {
        if !e.contains(v) {
            return Err(format!("{at}: {v} not in {e:?}"));
        }
    }
    if let (Some(min), Some(x)) = (schema.get("minimum").and_then(Value::as_f64), v.as_f64()) {
        if x < min {
            return Err(format!("{at}: {x} < {min}"));
        }
    }
    if let Some(o) = v.as_object() {
        let props = schema.get("properties").and_then(Value::as_object);
        for r in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if !o.contains_key(r.as_str().unwrap()) {
                return Err(format!("{at}: missing {r}"));
            }
        }
        for (k, x) in o {
            match props.and_then(|p| p.get(k)) {
                Some(s) => validate(root, s, x, &format!("{at}.{k}"))?,
                None if schema.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    return Err(format!("{at}: unexpected field {k}"))
                }
                None => {}
            }
        }
    }
    if let Some(a) = v.as_array() {
        if let Some(n) = schema.get("minItems").and_then(Value::as_u64) {
            if (a.len() as u64) < n {
                return Err(format!("{at}: fewer than {n} items"));
            }
        }
        if let Some(n) = schema.get("maxItems").and_then(Value::as_u64) {
            if (a.len() as u64) > n {
                return Err(format!("{at}: more than {n} items"));
            }
        }
        if let Some(items) = schema.get("items") {
            for (i, x) in a.iter().enumerate() {
                validate(root, items, x, &format!("{at}[{i}]"))?;
            }
        }
    }
    Ok(())
}

/// The documented operations: (path template, method).
fn operations(spec: &Value) -> Vec<(String, String)> {
    let mut ops = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            ops.push((path.clone(), method.clone()));
        }
    }
    ops
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1e9f64..1e9).prop_map(Value::from),
        ".{0,20}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("id|text|documents|a|b|lang|[a-z]{1,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,120}",
        (0usize..PARAGRAPH.len()).prop_map(|n| PARAGRAPH[n..].to_string()),
        Just(PARAGRAPH.to_string()),
    ]
}

fn id() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("seed".to_string()),
        Just("copy".to_string()),
        Just("lone".to_string()),
        "[a-z0-9]{1,8}",
        ".{0,12}",
    ]
}

fn opt_string() -> impl Strategy<Value = Value> {
    prop_oneof![Just(Value::Null), ".{0,10}".prop_map(Value::from)]
}

/// A body shaped like the operation's request schema (fields may still be odd).
fn shaped_body() -> impl Strategy<Value = [Value; 3]> {
    let doc = (id(), text(), opt_string(), opt_string()).prop_map(
        |(id, text, lang, date)| json!({"id": id, "text": text, "lang": lang, "date": date}),
    );
    (
        prop::collection::vec(doc, 0..5),
        text(),
        prop::option::of(id()),
        text(),
        text(),
    )
        .prop_map(|(docs, q, qid, a, b)| {
            [
                json!({"documents": docs}),
                json!({"text": q, "id": qid}),
                json!({"a": a, "b": b}),
            ]
        })
}

fn query_value() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u64..2000).prop_map(|n| n.to_string()),
        Just("-1".to_string()),
        Just("99999999999999999999999".to_string()),
        ".{0,6}",
    ]
}

#[derive(Debug, Clone)]
struct Case {
    op: usize,
    kind: u8,
    id: String,
    any: Value,
    shaped: [Value; 3],
    bytes: Vec<u8>,
    offset: Option<String>,
    limit: Option<String>,
    auth: bool,
}

fn case(n_ops: usize) -> impl Strategy<Value = Case> {
    (
        0..n_ops,
        0u8..10,
        id(),
        json_value(),
        shaped_body(),
        prop::collection::vec(any::<u8>(), 0..40),
        prop::option::of(query_value()),
        prop::option::of(query_value()),
        prop::bool::weighted(0.85),
    )
        .prop_map(
            |(op, kind, id, any, shaped, bytes, offset, limit, auth)| Case {
                op,
                kind,
                id,
                any,
                shaped,
                bytes,
                offset,
                limit,
                auth,
            },
        )
}

const MAX_BODY: usize = 64 << 10;
const TOKEN: &str = "t0ken";

fn state() -> (tempfile::TempDir, AppState) {
    let tmp = tempfile::tempdir().unwrap();
    let mut index = retold::Index::create(tmp.path()).unwrap();
    let origin = retold::Origin::file("test");
    let docs = vec![
        retold::Document::new("seed", PARAGRAPH, origin.clone()),
        retold::Document::new(
            "copy",
            format!("Home | News\n\n{PARAGRAPH}\n\nShare this"),
            origin.clone(),
        ),
        retold::Document::new(
            "lone",
            "Nothing else is like this short text about gardening.",
            origin,
        ),
    ];
    let cfg = retold::Config::default();
    let mut on_bad = |_: &retold::IngestError| false;
    index
        .add(
            docs,
            &retold::index::settings(retold::KeepPolicy::Original, false),
            &cfg,
            retold::RunOptions {
                keep: retold::KeepPolicy::Original,
                on_bad: &mut on_bad,
                progress: &|_: retold::Progress| {},
                models: None,
            },
        )
        .unwrap();
    let limits = Limits {
        token: Some(TOKEN.to_string()),
        max_body_bytes: MAX_BODY,
        max_batch: 3,
    };
    (tmp, AppState::new(index, None, cfg, limits).unwrap())
}

fn request(spec_ops: &[(String, String)], c: &Case) -> (String, String, Vec<u8>) {
    let (path, method) = &spec_ops[c.op];
    let mut uri = path.replace("{id}", &encode(&c.id));
    if path == "/v1/clusters" {
        let mut q = Vec::new();
        if let Some(o) = &c.offset {
            q.push(format!("offset={}", encode(o)));
        }
        if let Some(l) = &c.limit {
            q.push(format!("limit={}", encode(l)));
        }
        if !q.is_empty() {
            uri = format!("{uri}?{}", q.join("&"));
        }
    }
    let shaped = match path.as_str() {
        "/v1/documents" => &c.shaped[0],
        "/v1/query" => &c.shaped[1],
        _ => &c.shaped[2],
    };
    let (method, body) = match c.kind {
        // A method the path does not have.
        0 => (
            if method == "get" { "DELETE" } else { "PUT" }.to_string(),
            Vec::new(),
        ),
        1 => (method.to_uppercase(), c.any.to_string().into_bytes()),
        2 => (method.to_uppercase(), c.bytes.clone()),
        3 => (method.to_uppercase(), vec![b' '; MAX_BODY + 1]),
        _ => (method.to_uppercase(), shaped.to_string().into_bytes()),
    };
    let body = if method == "GET" { Vec::new() } else { body };
    (method, uri, body)
}

#[test]
fn every_response_is_documented() {
    let spec = spec();
    let ops = operations(&spec);
    assert!(ops.len() >= 9, "{ops:?}");
    let (_tmp, st) = state();
    let app = router(st);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let cases: u32 = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    // A fixed seed by default (PROPTEST_RNG_SEED picks another): the check below that the run
    // reached every main outcome must not depend on the luck of one run (with a random seed
    // and 400 cases, about one run in three never posted a valid batch).
    let seed = std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_201);
    let config = ProptestConfig {
        cases,
        failure_persistence: None,
        rng_seed: proptest::test_runner::RngSeed::Fixed(seed),
        ..ProptestConfig::default()
    };
    let seen = std::cell::RefCell::new(std::collections::BTreeSet::new());
    proptest!(config, |(c in case(ops.len()))| {
        let (method, uri, body) = request(&ops, &c);
        let mut req = Request::builder()
            .method(method.as_str())
            .uri(&uri)
            .header("content-type", "application/json");
        if c.auth {
            req = req.header("authorization", format!("Bearer {TOKEN}"));
        }
        let req = req.body(Body::from(body)).unwrap();
        let app = app.clone();
        let (status, bytes) = rt.block_on(async move {
            let res = tokio::time::timeout(Duration::from_secs(60), app.oneshot(req))
                .await
                .expect("answered within 60 s")
                .unwrap();
            let status = res.status().as_u16();
            let bytes = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
            (status, bytes)
        });
        let (path, op_method) = &ops[c.op];
        prop_assert_ne!(status, 500, "{} {}: {}", method, uri, String::from_utf8_lossy(&bytes));
        let op = &spec["paths"][path][op_method];
        let doc = &op["responses"][status.to_string()];
        prop_assert!(!doc.is_null(), "{} {} answered {} (not documented for {} {}): {}", method, uri, status, op_method, path, String::from_utf8_lossy(&bytes));
        seen.borrow_mut().insert((path.clone(), status));
        let schema = &doc["content"]["application/json"]["schema"];
        let v: Value = serde_json::from_slice(&bytes).map_err(|e| TestCaseError::fail(format!("{method} {uri}: body is not JSON: {e}")))?;
        if let Err(e) = validate(&spec, schema, &v, "$") {
            return Err(TestCaseError::fail(format!("{method} {uri} -> {status}: {e}\n{v}")));
        }
        if status >= 400 {
            // The code's status is the response's.
            let code = v["error"]["code"].as_str().unwrap();
            let expected = retold_server::ErrorCode::ALL.iter().find(|c| c.as_str() == code).unwrap().status().as_u16();
            prop_assert_eq!(expected, status);
        }
    });
    eprintln!("(operation, status) seen: {:?}", seen.borrow());
    // The run reached the main outcomes.
    for want in [
        ("/v1/documents", 200),
        ("/v1/documents", 400),
        ("/v1/compare", 200),
        ("/v1/query", 200),
        ("/v1/clusters", 200),
        ("/v1/documents/{id}", 404),
    ] {
        let seen = seen.borrow();
        assert!(
            seen.contains(&(want.0.to_string(), want.1)),
            "no {want:?} in {seen:?}"
        );
    }
}

#[test]
fn the_error_table_is_the_documents() {
    let spec = spec();
    let codes: Vec<&str> = spec["components"]["schemas"]["Error"]["properties"]["error"]
        ["properties"]["code"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let ours: Vec<&str> = retold_server::ErrorCode::ALL
        .iter()
        .map(|c| c.as_str())
        .collect();
    assert_eq!(codes, ours);
    // Every status an operation documents as an error is the status of some code.
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (m, op) in item.as_object().unwrap() {
            for status in op["responses"].as_object().unwrap().keys() {
                let s: u16 = status.parse().unwrap();
                assert!(
                    s < 400
                        || retold_server::ErrorCode::ALL
                            .iter()
                            .any(|c| c.status().as_u16() == s),
                    "{m} {path}: {s}"
                );
            }
        }
    }
}
