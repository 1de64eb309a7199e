//! Applies `openapi/alura.overlay.yaml` (OpenAPI Overlay 1.0) to the normalised spec.
//!
//! Each action is applied on its own, so that one whose target vanished upstream is reported
//! together with every other such action, not one per run, and so that `gen --allow-stale`
//! can go on without them. An action that gives a response's `content` replaces what upstream
//! documented there: the Overlay merge would otherwise blend upstream's schema and ours into
//! one that is neither.

use anyhow::{Context, Result, anyhow, bail};
use roas_overlay::apply::{Apply, ApplyErrorKind, ApplyOptions};
use roas_overlay::v1_0::{Action, Overlay};
use roas_overlay::validation::Validate;
use serde_json::Value;

/// An action whose target matches nothing in the upstream spec.
pub struct Stale {
    /// The action's place in the overlay; `None` for an entry of `x-request-bodies`.
    pub index: Option<usize>,
    pub target: String,
    pub description: Option<String>,
    pub why: String,
}

impl std::fmt::Display for Stale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.index {
            Some(index) => write!(f, "action {index} ({})", self.target)?,
            None => f.write_str(&self.target)?,
        }
        if let Some(d) = &self.description {
            write!(f, " \"{}\"", d.lines().next().unwrap_or_default())?;
        }
        write!(f, ": {}", self.why)
    }
}

/// What to do about stale actions, said once after the list.
pub const STALE_HELP: &str = "each names a place the upstream spec no longer has. `cargo xtask fetch` shows \
what moved: point the action's target at the new place in openapi/alura.overlay.yaml, or delete it if \
upstream now says the same. `cargo xtask gen --allow-stale` generates without them meanwhile.";

/// Applies `overlay_yaml` to `spec`; returns the stale actions. With `allow_stale` false, any
/// stale action is an error listing all of them.
pub fn apply(spec: &mut Value, overlay_yaml: &str, allow_stale: bool) -> Result<Vec<Stale>> {
    let overlay: Overlay = serde_yaml_ng::from_str(overlay_yaml).context("the overlay is not valid YAML")?;
    overlay
        .validate(enumset::EnumSet::empty())
        .map_err(|e| anyhow!("the overlay is not a valid Overlay 1.0 document: {e}"))?;
    let mut stale = Vec::new();
    let ext = overlay.extensions.clone().unwrap_or_default();
    if let Some(Value::Object(bodies)) = ext.get("x-request-bodies").or(ext.get("request-bodies")) {
        for why in crate::spec::names::apply(spec, bodies) {
            stale.push(Stale { index: None, target: "x-request-bodies".into(), description: None, why });
        }
    }
    for (index, action) in overlay.actions.iter().enumerate() {
        let strict = ApplyOptions::ErrorOnZeroMatch | ApplyOptions::ErrorOnMixedKindMatch;
        let one = |action: Action| Overlay { actions: vec![action], ..overlay.clone() };
        // Probe the target first, on a copy (an update appends to an array target), so a stale
        // action clears nothing either. Only a target that matches nothing is stale; any other
        // failure is a mistake in the overlay, and stops generation.
        let probe =
            one(Action { update: Some(Value::Object(Default::default())), remove: None, ..action.clone() });
        match probe.apply(&mut spec.clone(), strict) {
            Ok(_) => {}
            Err(e) if matches!(e.kind, ApplyErrorKind::ZeroMatch) => {
                stale.push(Stale {
                    index: Some(index),
                    target: action.target.clone(),
                    description: action.description.clone(),
                    why: e.to_string(),
                });
                continue;
            }
            Err(e) => bail!("overlay action {index} ({}): {e}", action.target),
        }
        for code in replaced_contents(action) {
            let target = format!("{}.responses['{code}'].content", action.target);
            one(Action { target, update: None, remove: Some(true), description: None, ..action.clone() })
                .apply(spec, enumset::EnumSet::empty())
                .map_err(|e| anyhow!("overlay action {index}: clearing upstream's {code} body: {e}"))?;
        }
        one(action.clone())
            .apply(spec, strict)
            .map_err(|e| anyhow!("overlay action {index} ({}): {e}", action.target))?;
    }
    if !stale.is_empty() && !allow_stale {
        let list: Vec<String> = stale.iter().map(|s| format!("  - {s}")).collect();
        bail!(
            "{} overlay action(s) no longer apply to the upstream spec:\n{}\n{STALE_HELP}",
            stale.len(),
            list.join("\n")
        );
    }
    Ok(stale)
}

/// The response codes whose `content` an action gives.
fn replaced_contents(action: &Action) -> Vec<String> {
    let Some(responses) = action.update.as_ref().and_then(|u| u.get("responses")).and_then(Value::as_object)
    else {
        return Vec::new();
    };
    responses.iter().filter(|(_, r)| r.get("content").is_some()).map(|(code, _)| code.clone()).collect()
}
