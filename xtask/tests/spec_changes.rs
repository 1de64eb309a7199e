//! `changes::diff` as a table: each kind of change to a small spec, and the class it must get.

use serde_json::{Value, json};
use xtask::spec::changes::{self, Class, Class::*};

/// A spec with one read, one write, a shared recursive schema reached through `$ref`s, enums,
/// a nullable field and an authenticated operation.
fn base() -> Value {
    json!({
        "openapi": "3.0.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/items/{id}": {
                "get": {
                    "operationId": "get_item",
                    "description": "One item",
                    "parameters": [
                        {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
                        {"name": "limit", "in": "query", "required": false, "schema": {"type": "integer"}}
                    ],
                    "responses": {
                        "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}},
                        "404": {"description": "missing"}
                    }
                }
            },
            "/items": {
                "post": {
                    "operationId": "create_item",
                    "security": [{"bearer": []}],
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewItem"}}}},
                    "responses": {"201": {"description": "created", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}}}
                }
            }
        },
        "components": {
            "schemas": {
                "Item": {
                    "type": "object",
                    "required": ["id", "price"],
                    "properties": {
                        "id": {"type": "string", "description": "The id"},
                        "price": {"type": "number"},
                        "status": {"type": "string", "enum": ["open", "closed"]},
                        "tags": {"type": "array", "items": {"type": "string"}},
                        "note": {"type": "string"},
                        "children": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}}
                    }
                },
                "NewItem": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {
                        "name": {"type": "string"},
                        "size": {"type": "integer"},
                        "kind": {"type": "string", "enum": ["a", "b"]},
                        "comment": {"type": "string"}
                    }
                }
            }
        }
    })
}

const GET: &str = "GET /items/{id}";
const POST: &str = "POST /items";

type Case = (&'static str, fn(&mut Value), &'static [(Class, &'static str, &'static str)]);

const CASES: &[Case] = &[
    ("nothing", |_| {}, &[]),
    (
        "descriptions and examples",
        |s| {
            s["paths"]["/items/{id}"]["get"]["description"] = json!("Another text");
            s["components"]["schemas"]["Item"]["properties"]["id"]["description"] = json!("changed");
            s["components"]["schemas"]["NewItem"]["properties"]["name"]["example"] = json!("x");
        },
        &[],
    ),
    (
        "operation removed",
        |s| {
            s["paths"]["/items/{id}"].as_object_mut().unwrap().remove("get");
        },
        &[(Breaking, GET, "operation removed")],
    ),
    (
        "operation added",
        |s| s["paths"]["/health"] = json!({"get": {"responses": {"200": {"description": "ok"}}}}),
        &[(Additive, "GET /health", "operation added")],
    ),
    (
        "required parameter added",
        |s| {
            push_param(s, json!({"name": "q", "in": "query", "required": true, "schema": {"type": "string"}}))
        },
        &[(Breaking, GET, "query parameter `q`: added, required")],
    ),
    (
        "optional parameter added",
        |s| push_param(s, json!({"name": "q", "in": "query", "schema": {"type": "string"}})),
        &[(Additive, GET, "query parameter `q`: added, optional")],
    ),
    (
        "parameter removed",
        |s| {
            s["paths"]["/items/{id}"]["get"]["parameters"].as_array_mut().unwrap().pop();
        },
        &[(Breaking, GET, "query parameter `limit`: removed")],
    ),
    (
        "parameter retyped",
        |s| s["paths"]["/items/{id}"]["get"]["parameters"][1]["schema"]["type"] = json!("string"),
        &[(Breaking, GET, "query parameter `limit`: type integer -> string")],
    ),
    (
        "parameter widened from integer to number",
        |s| s["paths"]["/items/{id}"]["get"]["parameters"][1]["schema"]["type"] = json!("number"),
        &[(Additive, GET, "query parameter `limit`: type integer -> number")],
    ),
    (
        "parameter became required",
        |s| s["paths"]["/items/{id}"]["get"]["parameters"][1]["required"] = json!(true),
        &[(Breaking, GET, "query parameter `limit`: became required")],
    ),
    (
        "path parameter renamed",
        |s| {
            let item = s["paths"].as_object_mut().unwrap().remove("/items/{id}").unwrap();
            s["paths"]["/items/{itemId}"] = item;
            s["paths"]["/items/{itemId}"]["get"]["parameters"][0]["name"] = json!("itemId");
        },
        &[],
    ),
    (
        "body field retyped",
        |s| s["components"]["schemas"]["NewItem"]["properties"]["size"]["type"] = json!("string"),
        &[(Breaking, POST, "request body `size`: type integer -> string")],
    ),
    (
        "body field became required",
        |s| s["components"]["schemas"]["NewItem"]["required"] = json!(["name", "comment"]),
        &[(Breaking, POST, "request body `comment`: became required")],
    ),
    (
        "body field became optional",
        |s| s["components"]["schemas"]["NewItem"]["required"] = json!([]),
        &[(Additive, POST, "request body `name`: became optional")],
    ),
    (
        "body fields added, one required",
        |s| {
            let new = &mut s["components"]["schemas"]["NewItem"];
            new["properties"]["color"] = json!({"type": "string"});
            new["properties"]["owner"] = json!({"type": "string"});
            new["required"] = json!(["name", "owner"]);
        },
        &[
            (Breaking, POST, "request body `owner`: added, required"),
            (Additive, POST, "request body `color`: added"),
        ],
    ),
    (
        "request enum value removed and added",
        |s| s["components"]["schemas"]["NewItem"]["properties"]["kind"]["enum"] = json!(["a", "c"]),
        &[
            (Breaking, POST, "request body `kind`: enum value \"b\" removed"),
            (Additive, POST, "enum value \"c\" added"),
        ],
    ),
    (
        // The client's decoder knows only the old values: a new one is what breaks it.
        "response enum value added and removed",
        |s| s["components"]["schemas"]["Item"]["properties"]["status"]["enum"] = json!(["open", "paused"]),
        &[
            (Breaking, GET, "response 200 `status`: enum value \"paused\" added"),
            (Breaking, POST, "response 201 `status`: enum value \"paused\" added"),
            (Additive, GET, "response 200 `status`: enum value \"closed\" removed"),
            (Additive, POST, "response 201 `status`: enum value \"closed\" removed"),
        ],
    ),
    (
        "response field removed",
        |s| {
            s["components"]["schemas"]["Item"]["properties"].as_object_mut().unwrap().remove("note");
        },
        &[(Breaking, GET, "response 200 `note`: removed"), (Breaking, POST, "response 201 `note`: removed")],
    ),
    (
        "response field retyped, nested in an array",
        |s| s["components"]["schemas"]["Item"]["properties"]["tags"]["items"]["type"] = json!("integer"),
        &[
            (Breaking, GET, "response 200 `tags[]`: type string -> integer"),
            (Breaking, POST, "response 201 `tags[]`: type string -> integer"),
        ],
    ),
    (
        "response field added",
        |s| s["components"]["schemas"]["Item"]["properties"]["color"] = json!({"type": "string"}),
        &[(Additive, GET, "response 200 `color`: added"), (Additive, POST, "response 201 `color`: added")],
    ),
    (
        "response field no longer required, and now nullable",
        |s| {
            let item = &mut s["components"]["schemas"]["Item"];
            item["required"] = json!(["id"]);
            item["properties"]["note"]["nullable"] = json!(true);
        },
        &[
            (Breaking, GET, "response 200 `note`: now nullable"),
            (Breaking, GET, "response 200 `price`: became optional"),
            (Breaking, POST, "response 201 `note`: now nullable"),
            (Breaking, POST, "response 201 `price`: became optional"),
        ],
    ),
    (
        "an inline schema instead of the $ref, same shape",
        |s| {
            let inline = s["components"]["schemas"]["NewItem"].clone();
            s["paths"]["/items"]["post"]["requestBody"]["content"]["application/json"]["schema"] = inline;
        },
        &[],
    ),
    (
        "success status changed",
        |s| {
            let responses = s["paths"]["/items"]["post"]["responses"].as_object_mut().unwrap();
            let created = responses.remove("201").unwrap();
            responses.insert("200".into(), created);
        },
        &[(Breaking, POST, "response 201: no longer documented"), (Additive, POST, "response 200: added")],
    ),
    (
        "authentication required",
        |s| s["paths"]["/items/{id}"]["get"]["security"] = json!([{"bearer": []}]),
        &[(Breaking, GET, "now requires authentication")],
    ),
    (
        "authentication dropped",
        |s| {
            s["paths"]["/items"]["post"].as_object_mut().unwrap().remove("security");
        },
        &[(Additive, POST, "no longer requires authentication")],
    ),
];

fn push_param(s: &mut Value, p: Value) {
    s["paths"]["/items/{id}"]["get"]["parameters"].as_array_mut().unwrap().push(p);
}

#[test]
fn each_kind_of_change_is_found_and_classed() {
    let old = base();
    for (name, mutate, expected) in CASES {
        let mut new = base();
        mutate(&mut new);
        let got = changes::diff(&old, &new);
        assert_eq!(got.len(), expected.len(), "{name}: {got:#?}");
        for (change, (class, operation, what)) in got.iter().zip(expected.iter()) {
            assert_eq!(change.class, *class, "{name}: {change:?}");
            assert_eq!(change.operation, *operation, "{name}: {change:?}");
            assert!(change.what.contains(what), "{name}: {:?} does not contain {what:?}", change.what);
        }
    }
}

#[test]
fn the_reverse_of_an_addition_is_a_removal() {
    let old = base();
    let mut new = base();
    new["paths"]["/health"] = json!({"get": {"responses": {"200": {"description": "ok"}}}});
    let back = changes::diff(&new, &old);
    assert_eq!(back.len(), 1);
    assert_eq!((back[0].class, back[0].what.as_str()), (Breaking, "operation removed"));
}

#[test]
fn the_committed_raw_spec_has_no_changes_from_itself() {
    let text = std::fs::read_to_string(xtask::root().join("openapi/alura.raw.json")).unwrap();
    let raw: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(changes::diff(&raw, &raw), []);
    let contract = std::fs::read_to_string(xtask::root().join("openapi/contract.tsv")).unwrap();
    let listed = contract.lines().filter(|l| !l.starts_with('#') && !l.starts_with("method\t")).count();
    assert_eq!(changes::operation_count(&raw), listed, "the served spec has the contract's operations");
}

#[test]
fn the_report_is_one_line_when_nothing_changed_and_a_line_per_change_otherwise() {
    let same = changes::render(&[], "openapi/alura.raw.json", "http://h/api/docs-json", true, 7);
    assert_eq!(
        same,
        "no changes: http://h/api/docs-json serves the API of openapi/alura.raw.json (7 operations)\n"
    );
    let mut new = base();
    new["paths"]["/items/{id}"]["get"]["parameters"][1]["required"] = json!(true);
    new["paths"]["/health"] = json!({"get": {"responses": {"200": {"description": "ok"}}}});
    let changes = changes::diff(&base(), &new);
    let text = changes::render(&changes, "old.json", "http://h/api/docs-json", false, 3);
    assert_eq!(
        text,
        "changes from old.json to http://h/api/docs-json: 1 breaking, 1 additive\n\
         \x20 breaking  GET /items/{id}  query parameter `limit`: became required\n\
         \x20 additive  GET /health      operation added\n"
    );
}
