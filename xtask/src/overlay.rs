//! Applies `openapi/alura.overlay.yaml` (OpenAPI Overlay 1.0) to the normalised spec.

use anyhow::{Context, Result, anyhow};
use roas_overlay::apply::{Apply, ApplyOptions};
use roas_overlay::v1_0::Overlay;
use roas_overlay::validation::Validate;
use serde_json::Value;

/// Applies `overlay_yaml` to `spec`. A target that matches nothing is an error: it means the
/// upstream spec changed under one of our corrections, and a human has to look.
pub fn apply(spec: &mut Value, overlay_yaml: &str) -> Result<()> {
    let overlay: Overlay = serde_yaml_ng::from_str(overlay_yaml).context("the overlay is not valid YAML")?;
    overlay
        .validate(enumset::EnumSet::empty())
        .map_err(|e| anyhow!("the overlay is not a valid Overlay 1.0 document: {e}"))?;
    overlay.apply(spec, ApplyOptions::ErrorOnZeroMatch | ApplyOptions::ErrorOnMixedKindMatch).map_err(
        |e| {
            anyhow!(
                "overlay action {} ({}) no longer applies to the upstream spec: {e}",
                e.action_index,
                e.target
            )
        },
    )?;
    Ok(())
}
