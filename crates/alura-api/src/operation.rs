//! What the operation table says about each operation (the table itself is generated).

use crate::operations::OPERATIONS;

/// One operation of the API.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Operation {
    /// The operationId, also the name of the client method.
    pub id: &'static str,
    /// The HTTP method, upper case.
    pub method: &'static str,
    /// The path template, e.g. `/trading-sessions/{sessionId}/logs`.
    pub path: &'static str,
    /// The tag (NestJS controller) it belongs to.
    pub tag: &'static str,
    /// Whether it needs a bearer token.
    pub authenticated: bool,
    /// One line on what it does.
    pub summary: &'static str,
    /// The success status the spec lists (the generated client decodes the body under it).
    pub success: u16,
    /// Whether it takes a JSON body.
    pub has_body: bool,
    /// Whether its answer holds money (a field of
    /// [`DECIMAL_FIELDS`](crate::operations::DECIMAL_FIELDS)), at any depth: a binding that
    /// makes money exact only needs to look at these answers.
    pub money: bool,
    /// Its inputs: path and query parameters, then the top-level fields of the body.
    pub fields: &'static [Field],
}

/// Where an input goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    Path,
    Query,
    Body,
}

/// The JSON type of an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    String,
    Number,
    Integer,
    Boolean,
    Array,
    Object,
}

/// One input of an operation and the spec's constraints on it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Field {
    /// The name on the wire (camelCase for body fields).
    pub name: &'static str,
    pub location: Location,
    pub required: bool,
    pub kind: Kind,
    pub minimum: Option<f64>,
    pub exclusive_minimum: bool,
    pub maximum: Option<f64>,
    pub exclusive_maximum: bool,
    /// The allowed values of an enum; empty when any value of `kind` goes.
    pub values: &'static [&'static str],
}

/// The operation with this id.
pub fn find(id: &str) -> Option<&'static Operation> {
    OPERATIONS.binary_search_by(|op| op.id.cmp(id)).ok().map(|i| &OPERATIONS[i])
}

/// The inputs that name an asset, which take an index, a symbol or an `Asset` alike: the SDK's
/// JSON call converts, and the bindings' generated types say so.
pub const ASSET_ARGUMENTS: [&str; 2] = ["assetIndex", "symbol"];
