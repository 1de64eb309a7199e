//! The spec served the way `SwaggerModule.setup('api/docs', …)` serves it.

use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::{Router, routing};
use serde_json::Value;

/// The spec as the backend serves it: our authored copy of the served document.
pub const RAW_SPEC: &str = include_str!("../../../../openapi/alura.raw.json");

pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/api/docs-json", routing::get(json))
        .route("/api/docs-yaml", routing::get(yaml))
        .route("/api/docs", routing::get(page))
        .route("/api/docs/", routing::get(page))
        .route("/api/docs/swagger-ui-init.js", routing::get(init_js))
}

fn spec() -> Value {
    serde_json::from_str(RAW_SPEC).expect("the committed raw spec is JSON")
}

async fn json() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        serde_json::to_string(&spec()).expect("JSON"),
    )
}

async fn yaml() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/yaml; charset=utf-8")], serde_yaml_ng::to_string(&spec()).expect("YAML"))
}

async fn page() -> Html<&'static str> {
    Html(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <title>Swagger UI</title>
  <link rel="stylesheet" type="text/css" href="./swagger-ui.css" >
</head>
<body>
<div id="swagger-ui"></div>
<script src="./swagger-ui-bundle.js"> </script>
<script src="./swagger-ui-standalone-preset.js"> </script>
<script src="./swagger-ui-init.js"> </script>
</body>
</html>
"#,
    )
}

/// Swagger UI's init script; `customOptions` holds a JS function, so the file is not JSON.
async fn init_js() -> impl IntoResponse {
    let doc = serde_json::to_string_pretty(&spec()).expect("JSON");
    let script = format!(
        r#"
window.onload = function() {{
  // Build a system
  let url = window.location.search.match(/url=([^&]+)/);
  if (url && url.length > 1) {{
    url = decodeURIComponent(url[1]);
  }} else {{
    url = window.location.origin;
  }}
  let options = {{
  "swaggerDoc": {doc},
  "customOptions": {{
    "persistAuthorization": true,
    "requestInterceptor": function (request) {{ return request; }}
  }}
}};
  url = options.swaggerUrl || url
  let urls = options.swaggerUrls
  let customOptions = options.customOptions
  let spec1 = options.swaggerDoc
  let swaggerOptions = {{
    spec: spec1,
    url: url,
    urls: urls,
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [
      SwaggerUIBundle.presets.apis,
      SwaggerUIStandalonePreset
    ],
    plugins: [
      SwaggerUIBundle.plugins.DownloadUrl
    ],
    layout: "StandaloneLayout"
  }}
  for (let attrname in customOptions) {{
    swaggerOptions[attrname] = customOptions[attrname];
  }}
  let ui = SwaggerUIBundle(swaggerOptions)
  if (customOptions.initOAuth) {{
    ui.initOAuth(customOptions.initOAuth)
  }}
  if (customOptions.authAction) {{
    ui.authActions.authorize(customOptions.authAction)
  }}
  window.ui = ui
}}
"#
    );
    ([(header::CONTENT_TYPE, "application/javascript; charset=utf-8")], script)
}
