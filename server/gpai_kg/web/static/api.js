/* The API page: Swagger UI (vendored) on this service's /openapi.json; no validator badge, nothing remote. */
(function () {
  "use strict";
  var root = document.getElementById("swagger");
  window.gpaiSwagger = SwaggerUIBundle({
    url: root.dataset.spec,
    domNode: root,
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    defaultModelsExpandDepth: 0,
    docExpansion: "list"
  });
})();
